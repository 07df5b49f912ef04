package org.mtasts.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of choosing the one policy-announcing record among all TXT records at a DNS name
 * (RFC 8461 §3.1 for {@code _mta-sts}, RFC 8460 §3 for {@code _smtp._tls}): records that do not
 * start with the version tag are discarded; then there must be exactly one left, and it must be
 * valid.
 *
 * <p>A value, not an exception: "no record", "several records" and "invalid record" all mean
 * "no policy from DNS" (a cached policy still applies), but callers report and log them
 * differently. Use {@link #status()} in a {@code switch}, or {@code instanceof} on the four
 * record types. All implementations are immutable.
 *
 * @param <R> the record type, {@link PolicyRecord} or {@code org.mtasts.report.TlsRptRecord}
 */
public sealed interface RecordSelection<R>
    permits RecordSelection.Found,
        RecordSelection.NoRecord,
        RecordSelection.MultipleRecords,
        RecordSelection.Invalid {

  /** The four possible outcomes. */
  enum Status {
    /** Exactly one candidate, and it is valid. */
    FOUND,
    /** No TXT record starts with the version tag (STS-DISC-15, TLSRPT-REC-02). */
    NO_RECORD,
    /** More than one candidate: no policy is available (STS-DISC-05, TLSRPT-REC-02). */
    MULTIPLE_RECORDS,
    /** Exactly one candidate, but it does not follow the grammar (STS-DISC-06). */
    INVALID
  }

  /**
   * Returns which outcome this is.
   *
   * @return the status
   */
  Status status();

  /**
   * Returns the record when the status is {@link Status#FOUND}.
   *
   * @return the record, or empty for every other status
   */
  Optional<R> found();

  /**
   * Exactly one valid record.
   *
   * @param record the parsed record
   * @param <R> the record type
   */
  record Found<R>(R record) implements RecordSelection<R> {
    /**
     * Creates the outcome.
     *
     * @param record the parsed record
     * @throws NullPointerException if {@code record} is null
     */
    public Found {
      Objects.requireNonNull(record, "record");
    }

    @Override
    public Status status() {
      return Status.FOUND;
    }

    @Override
    public Optional<R> found() {
      return Optional.of(record);
    }
  }

  /**
   * No TXT record starts with the version tag.
   *
   * @param <R> the record type
   */
  record NoRecord<R>() implements RecordSelection<R> {
    @Override
    public Status status() {
      return Status.NO_RECORD;
    }

    @Override
    public Optional<R> found() {
      return Optional.empty();
    }
  }

  /**
   * Several TXT records start with the version tag, so none is used.
   *
   * @param candidates the texts of those records, in the order given
   * @param <R> the record type
   */
  record MultipleRecords<R>(List<String> candidates) implements RecordSelection<R> {
    /**
     * Creates the outcome.
     *
     * @param candidates the texts of the competing records, copied
     * @throws NullPointerException if {@code candidates} or an element is null
     */
    public MultipleRecords {
      candidates = List.copyOf(candidates);
    }

    @Override
    public Status status() {
      return Status.MULTIPLE_RECORDS;
    }

    @Override
    public Optional<R> found() {
      return Optional.empty();
    }
  }

  /**
   * The only candidate is not a valid record.
   *
   * @param text the text of the record
   * @param error why it is invalid
   * @param <R> the record type
   */
  record Invalid<R>(String text, RecordSyntaxException error) implements RecordSelection<R> {
    /**
     * Creates the outcome.
     *
     * @param text the record text
     * @param error the syntax error
     * @throws NullPointerException if an argument is null
     */
    public Invalid {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(error, "error");
    }

    @Override
    public Status status() {
      return Status.INVALID;
    }

    @Override
    public Optional<R> found() {
      return Optional.empty();
    }
  }
}
