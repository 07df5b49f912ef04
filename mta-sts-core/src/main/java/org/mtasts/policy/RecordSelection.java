package org.mtasts.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mtasts.internal.text.Texts;

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
   * Parses the one candidate record; {@code PolicyRecord::parse} and {@code
   * TlsRptRecord::parse} are parsers.
   *
   * @param <R> the record type
   */
  @FunctionalInterface
  interface Parser<R> {
    /**
     * Parses one record.
     *
     * @param text the record with its character-strings joined
     * @return the record
     * @throws RecordSyntaxException if the record is invalid
     */
    R parse(String text) throws RecordSyntaxException;
  }

  /**
   * Chooses and parses the one record among all TXT records at a DNS name: records that are not
   * {@linkplain #isCandidate(String, String) candidates} for {@code versionTag} are discarded;
   * then none gives {@link NoRecord}, more than one {@link MultipleRecords}, one that {@code
   * parser} rejects {@link Invalid} and one valid {@link Found}. {@link
   * PolicyRecord#select(List)} and {@code TlsRptRecord.select(List)} are this rule with their own
   * version tag and parser.
   *
   * @param txtRecords the TXT records of the RRset, each with its character-strings already
   *     joined (see {@link PolicyRecord#join(List)})
   * @param versionTag the version tag a candidate begins with, e.g. {@value
   *     PolicyRecord#VERSION_TAG}
   * @param parser parses the one candidate
   * @param <R> the record type
   * @return the outcome
   * @throws NullPointerException if an argument or an element of {@code txtRecords} is null
   */
  static <R> RecordSelection<R> select(
      List<String> txtRecords, String versionTag, Parser<R> parser) {
    Objects.requireNonNull(versionTag, "versionTag");
    Objects.requireNonNull(parser, "parser");
    List<String> candidates = new ArrayList<>(1);
    for (String txt : txtRecords) {
      if (isCandidate(txt, versionTag)) {
        candidates.add(txt);
      }
    }
    if (candidates.isEmpty()) {
      return new NoRecord<>();
    }
    if (candidates.size() > 1) {
      return new MultipleRecords<>(candidates);
    }
    String text = candidates.get(0);
    try {
      return new Found<>(parser.parse(text));
    } catch (RecordSyntaxException e) {
      return new Invalid<>(text, e);
    }
  }

  /**
   * Tells whether a TXT record is a candidate for the record type with this version tag: it
   * begins with {@code versionTag} followed by the end of the text, a space, a tab or {@code ;}
   * (so {@code v=STSv10} is not a candidate for {@code v=STSv1}).
   *
   * @param txt the joined TXT record text
   * @param versionTag the version tag, e.g. {@value PolicyRecord#VERSION_TAG}
   * @return whether the record is a candidate
   * @throws NullPointerException if an argument is null
   */
  static boolean isCandidate(String txt, String versionTag) {
    if (!txt.startsWith(versionTag)) {
      return false;
    }
    if (txt.length() == versionTag.length()) {
      return true;
    }
    char next = txt.charAt(versionTag.length());
    return next == ';' || Texts.isWsp(next);
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
