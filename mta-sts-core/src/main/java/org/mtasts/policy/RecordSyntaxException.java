package org.mtasts.policy;

import java.util.Objects;
import java.util.Optional;
import org.mtasts.internal.text.Texts;

/**
 * Thrown when a DNS TXT record that announces a policy does not follow its grammar: the {@code
 * _mta-sts} record of RFC 8461 §3.1 ({@link PolicyRecord}) or the {@code _smtp._tls} record of
 * RFC 8460 §3 ({@code org.mtasts.report.TlsRptRecord}). Such a record counts as "no policy
 * available" (STS-DISC-06).
 *
 * <p>The message names the record type, quotes the record (control characters escaped, long
 * records cut) and says what is wrong, e.g. {@code invalid _mta-sts record 'v=STSv1;
 * id=2024-01-01': id: '2024-01-01' must be 1 to 32 ASCII letters or digits}.
 */
public final class RecordSyntaxException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String text;
  private final String field;
  private final String reason;

  /**
   * Creates an exception.
   *
   * @param recordType what kind of record this is, e.g. {@code _mta-sts}
   * @param text the full record text (its character-strings joined)
   * @param field the field at fault, or {@code null} when the problem is not tied to one field
   * @param reason what is wrong, for a person
   * @throws NullPointerException if {@code recordType}, {@code text} or {@code reason} is null
   */
  public RecordSyntaxException(String recordType, String text, String field, String reason) {
    super(
        "invalid "
            + Objects.requireNonNull(recordType, "recordType")
            + " record "
            + Texts.quote(Objects.requireNonNull(text, "text"))
            + ": "
            + (field == null ? "" : field + ": ")
            + Objects.requireNonNull(reason, "reason"));
    this.text = text;
    this.field = field;
    this.reason = reason;
  }

  /**
   * Returns the full text of the rejected record.
   *
   * @return the record text
   */
  public String text() {
    return text;
  }

  /**
   * Returns the name of the field at fault ({@code v}, {@code id}, {@code rua} or an extension
   * name), when the problem is tied to a field.
   *
   * @return the field name, or empty
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /**
   * Returns what is wrong, without the record type and text that {@link #getMessage()} adds.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }
}
