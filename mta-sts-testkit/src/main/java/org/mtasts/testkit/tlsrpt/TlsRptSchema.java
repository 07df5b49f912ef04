package org.mtasts.testkit.tlsrpt;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a TLS report (RFC 8460 §4.4) against the project's JSON Schema of it, {@value
 * #SCHEMA_RESOURCE} in this jar, so that every report a test of any module produces can be
 * validated: {@code TlsRptSchema.assertValid(report.json())}.
 *
 * <p>Beyond the schema (draft 2020-12, format assertions on: {@code date-time}, {@code ipv4},
 * {@code ipv6}, {@code uri}), the check enforces what a schema cannot say about I-JSON (RFC 7493):
 * the bytes are UTF-8 without a byte-order mark, no member name repeats in an object, no string
 * holds an unpaired surrogate or a noncharacter (an escaped {@code \ud800} is valid JSON but not
 * I-JSON), and counts are written as integers ({@code 2.0} is an integer to JSON Schema, not to a
 * strict reader).
 *
 * <p>Independent of {@code mta-sts-core}: it reads the bytes with its own JSON parser (Jackson 3,
 * through the validator), so a bug in the core's writer cannot hide itself. Thread-safe.
 */
public final class TlsRptSchema {

  /** Where the schema is, as a class path resource. */
  public static final String SCHEMA_RESOURCE = "/org/mtasts/testkit/tlsrpt/tlsrpt-report.schema.json";

  private static final JsonMapper MAPPER =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final Schema SCHEMA = load();

  private TlsRptSchema() {}

  private static Schema load() {
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
        SpecificationVersion.DRAFT_2020_12,
        b -> b.schemaRegistryConfig(
            SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    try (InputStream in = TlsRptSchema.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from the class path");
      }
      return registry.getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the schema text, e.g. to show it or to give it to another validator.
   *
   * @return the schema as JSON text
   */
  public static String schemaText() {
    try (InputStream in = TlsRptSchema.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      return new String(Objects.requireNonNull(in, SCHEMA_RESOURCE).readAllBytes(),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns what is wrong with a report, one line per problem, each naming its location, e.g.
   * {@code /policies/0/policy/mx-host: string found, array expected}.
   *
   * @param json the report as sent: UTF-8 JSON
   * @return the problems, empty if the report is valid
   * @throws NullPointerException if {@code json} is null
   */
  public static List<String> errors(byte[] json) {
    Objects.requireNonNull(json, "json");
    List<String> problems = new ArrayList<>();
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json))
          .toString();
    } catch (CharacterCodingException e) {
      return List.of("$: not UTF-8 (" + e + ")");
    }
    if (text.startsWith("\uFEFF")) {
      return List.of("$: starts with a byte-order mark (RFC 8259 §8.1: must not)");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JacksonException e) {
      return List.of("$: not JSON (or a repeated member name): " + e.getOriginalMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      return List.of("$: empty document");
    }
    checkIJson(tree, "", problems);
    for (Error e : SCHEMA.validate(tree)) {
      problems.add(e.getInstanceLocation() + ": " + e.getMessage() + " [" + e.getKeyword() + "]");
    }
    return problems;
  }

  /**
   * Tells whether a report is valid.
   *
   * @param json the report
   * @return {@code true} if {@link #errors(byte[])} is empty
   */
  public static boolean isValid(byte[] json) {
    return errors(json).isEmpty();
  }

  /**
   * Fails unless a report is valid; the message lists every problem and quotes the report.
   *
   * @param json the report
   * @throws AssertionError if the report is not valid
   */
  public static void assertValid(byte[] json) {
    List<String> problems = errors(json);
    if (!problems.isEmpty()) {
      throw new AssertionError("TLS report does not validate against " + SCHEMA_RESOURCE + ":\n  "
          + String.join("\n  ", problems) + "\nreport: "
          + new String(json, StandardCharsets.UTF_8));
    }
  }

  private static void checkIJson(JsonNode node, String path, List<String> problems) {
    if (node.isFloatingPointNumber()) {
      problems.add(path + ": " + node + " is not written as an integer");
    } else if (node.isString()) {
      String s = node.stringValue();
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        if ((cp <= 0xFFFF && Character.isSurrogate((char) cp))
            || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
          problems.add(path + ": holds U+" + Integer.toHexString(cp).toUpperCase()
              + ", which I-JSON forbids (RFC 7493 §2.1)");
        }
        i += Character.charCount(cp);
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        checkIJson(e.getValue(), path + "/" + e.getKey(), problems);
      }
    } else if (node.isArray()) {
      int i = 0;
      for (JsonNode child : node.values()) {
        checkIJson(child, path + "/" + i++, problems);
      }
    }
  }
}
