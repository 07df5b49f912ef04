package org.mtasts.testkit.https;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The response values themselves: padding, validation, gzip acceptance parsing. */
class PolicyResponseTest {
  private static final String POLICY = PolicyResponse.SAMPLE_POLICY;

  @ParameterizedTest(name = "padded body of exactly {0} bytes stays a policy of filler lines")
  @ValueSource(longs = {63, 67, 68, 72, 73, 100, 191, 192, 193, 194, 1000, 65_536, 65_537, 1 << 20})
  void padded_body_has_the_exact_size(long size) {
    byte[] body = PolicyResponse.builder().paddedBody(POLICY, size).build().bodyBytes();

    assertEquals(size, body.length);
    String text = new String(body, StandardCharsets.US_ASCII);
    assertTrue(text.startsWith(POLICY));
    assertTrue(text.endsWith("\n"));
    assertTrue(
        text.substring(POLICY.length()).lines().allMatch(l -> l.matches("(filler: |f:)x+")), text);
  }

  @Test
  void padded_body_without_room_for_a_line_is_refused() {
    int start = POLICY.length();
    for (long size : List.of((long) start - 1, start + 1L, start + 3L)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> PolicyResponse.builder().paddedBody(POLICY, size),
          "size " + size);
    }
    assertEquals(
        start, PolicyResponse.builder().paddedBody(POLICY, start).build().bodyBytes().length);
  }

  @Test
  void endless_body_needs_a_framing_that_can_carry_it() {
    PolicyResponse chunkedByDefault = PolicyResponse.builder().endlessBody("x").build();
    assertEquals(PolicyResponse.Framing.CHUNKED, chunkedByDefault.framing);
    assertThrows(IllegalStateException.class, chunkedByDefault::bodyBytes);
    assertThrows(
        IllegalStateException.class,
        () -> PolicyResponse.builder().endlessBody("x").gzip().build());
    assertThrows(
        IllegalStateException.class,
        () ->
            PolicyResponse.builder()
                .endlessBody("x")
                .chunked()
                .build()
                .newBuilder()
                .removeHeader("x")
                .contentLength(5)
                .removeHeader("Content-Length")
                .build());
    assertEquals(
        PolicyResponse.Framing.CONTENT_LENGTH,
        PolicyResponse.builder().endlessBody("x").contentLength(100).build().framing);
  }

  @Test
  void arguments_are_checked_with_the_bad_value_named() {
    IllegalArgumentException status =
        assertThrows(IllegalArgumentException.class, () -> PolicyResponse.status(99));
    assertTrue(status.getMessage().contains("99"));
    assertThrows(IllegalArgumentException.class, () -> PolicyResponse.redirect(200, "/"));
    assertThrows(
        IllegalArgumentException.class, () -> PolicyResponse.builder().header("X", "a\r\nb: c"));
    assertThrows(IllegalArgumentException.class, () -> PolicyResponse.builder().header("", "v"));
    assertThrows(
        IllegalArgumentException.class,
        () -> PolicyResponse.builder().trickleBody(0, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> PolicyResponse.builder().trickleBody(1, Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> PolicyResponse.builder().contentLength(-1));
    assertThrows(
        IllegalArgumentException.class,
        () -> PolicyResponse.builder().disconnectAfterBodyBytes(-1));
  }

  @Test
  void new_builder_copies_every_setting() {
    PolicyResponse original =
        PolicyResponse.builder()
            .status(203)
            .body("b")
            .noContentType()
            .header("ETag", "\"1\"")
            .trickleBody(2, Duration.ofMillis(5))
            .disconnectAfterBodyBytes(1)
            .build();

    PolicyResponse copy = original.newBuilder().build();

    assertEquals(original.toString(), copy.toString());
    assertEquals(203, copy.statusCode());
    assertTrue(copy.toString().contains("no Content-Type"), copy.toString());
  }

  @Test
  void gzip_acceptance_follows_accept_encoding() {
    assertTrue(Exchange.ResponseWriter.acceptsGzip(List.of("gzip")));
    assertTrue(Exchange.ResponseWriter.acceptsGzip(List.of("br", "GZIP;q=0.5")));
    assertTrue(Exchange.ResponseWriter.acceptsGzip(List.of("*")));
    assertTrue(Exchange.ResponseWriter.acceptsGzip(List.of("x-gzip")));
    assertTrue(!Exchange.ResponseWriter.acceptsGzip(List.of()));
    assertTrue(!Exchange.ResponseWriter.acceptsGzip(List.of("identity")));
    assertTrue(!Exchange.ResponseWriter.acceptsGzip(List.of("gzip;q=0")));
    assertTrue(!Exchange.ResponseWriter.acceptsGzip(List.of("*, gzip;q=0")));
  }
}
