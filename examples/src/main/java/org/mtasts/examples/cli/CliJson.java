package org.mtasts.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * The CLI's JSON output, written by jackson-core's streaming generator: objects in insertion
 * order, and strings as I-JSON (RFC 7493) allows them, because the CLI prints hostile text
 * (policy lines, SMTP replies, server messages). Beyond JSON's own escapes, DEL, the C1 controls
 * and the two JavaScript line terminators are escaped, and what I-JSON forbids even escaped
 * (unpaired surrogates, noncharacters) becomes U+FFFD, as core's {@code TlsReport} writes reports.
 * Thread-safe; no state.
 */
final class CliJson {
  private CliJson() {}

  private static final JsonFactory JSON =
      JsonFactory.builder().disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build();

  /** JSON text to insert as it is, e.g. a report that {@code TlsReport.json()} wrote. */
  record Raw(String json) {}

  /**
   * Writes {@code value} on one line: null, Boolean, Number (not finite: null), CharSequence,
   * {@link Raw}, Map (keys as strings, in the map's order) or Collection, nested; anything else as
   * its {@code toString()}.
   */
  static String write(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.setCharacterEscapes(ESCAPES);
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger || value instanceof BigDecimal) {
      g.writeNumber(value.toString());
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isFinite(d)) {
        g.writeNumber(String.valueOf(value));
      } else {
        g.writeNull();
      }
    } else if (value instanceof Raw raw) {
      g.writeRawValue(raw.json());
    } else if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        g.writeFieldName(wellFormed(String.valueOf(entry.getKey())));
        write(g, entry.getValue());
      }
      g.writeEndObject();
    } else if (value instanceof Collection<?> list) {
      g.writeStartArray();
      for (Object element : list) {
        write(g, element);
      }
      g.writeEndArray();
    } else {
      g.writeString(wellFormed(value.toString()));
    }
  }

  /**
   * Replaces what I-JSON cannot carry, escaped or not (RFC 7493 §2.1): unpaired surrogates and
   * noncharacters become U+FFFD. Returns {@code s} itself when there is nothing to replace.
   */
  static String wellFormed(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int len = Character.charCount(cp);
      boolean bad = (cp <= 0xFFFF && Character.isSurrogate((char) cp))
          || (cp >= 0xFDD0 && cp <= 0xFDEF)
          || (cp & 0xFFFE) == 0xFFFE;
      if (bad && b == null) {
        b = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (b != null) {
        if (bad) {
          b.append('\uFFFD');
        } else {
          b.appendCodePoint(cp);
        }
      }
      i += len;
    }
    return b == null ? s : b.toString();
  }

  /** The escapes of the CLI's JSON; also those of the demo's indented report. */
  static final CharacterEscapes ESCAPES = new IJsonEscapes();

  /**
   * JSON's own escapes, with the {@code u} escapes of backspace and form feed rather than
   * {@code \b} and {@code \f} (as the CLI has always written them), plus DEL, the C1 controls
   * and the two JavaScript line terminators: the output then holds no character that can hide
   * text or break a line in a reader.
   */
  private static final class IJsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;

    private final int[] ascii;

    IJsonEscapes() {
      ascii = CharacterEscapes.standardAsciiEscapesForJSON();
      ascii['\b'] = CharacterEscapes.ESCAPE_STANDARD;
      ascii['\f'] = CharacterEscapes.ESCAPE_STANDARD;
      ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if ((ch >= 0x80 && ch <= 0x9F) || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }
}
