package org.mtasts.dns;

import java.util.List;
import java.util.Objects;

/**
 * One TXT resource record: its character-strings, and their concatenation.
 *
 * <p>A TXT record is a list of character-strings of up to 255 bytes each. RFC 8461 §3.1 (and RFC
 * 8460 §3) join them with nothing in between before parsing; {@link #text()} does that
 * (STS-DISC-03). The bytes are decoded as UTF-8, malformed sequences becoming U+FFFD, so a record
 * that is not pure US-ASCII shows at least one character above U+007F and can be rejected by the
 * parser (STS-DISC-12).
 *
 * <p>Immutable and thread-safe.
 *
 * @param strings the character-strings in the order they appear in the record, each decoded on its
 *     own
 * @param text the bytes of all character-strings joined and then decoded, so a UTF-8 sequence split
 *     across two strings survives
 */
public record TxtRecord(List<String> strings, String text) {

  /**
   * Validates and copies the components.
   *
   * @throws NullPointerException if an argument or a string is null
   */
  public TxtRecord {
    strings = List.copyOf(strings);
    Objects.requireNonNull(text, "text");
  }

  /**
   * A record of the given strings, {@link #text()} being their concatenation.
   *
   * @param strings the character-strings
   * @return the record
   */
  public static TxtRecord of(String... strings) {
    return new TxtRecord(List.of(strings), String.join("", strings));
  }
}
