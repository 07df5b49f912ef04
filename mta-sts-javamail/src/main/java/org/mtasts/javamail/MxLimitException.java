package org.mtasts.javamail;

import java.io.IOException;
import java.util.Objects;

/**
 * An MX host crossed one of the bounds on what the transport reads from it (issue 12, items 1 and
 * 2): a reply line or a whole reply too long, a reply too slow, or the delivery deadline. Thrown
 * by the MX sockets' streams; the {@link SessionRecorder} keeps the first one, which is how the
 * {@link Courier} tells it apart from other failures however Angus Mail or the TLS layer wraps it.
 * The message is made of our own words and numbers, never of the server's bytes.
 */
final class MxLimitException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Which bound was crossed. */
  enum Limit {
    /** One reply line longer than {@link SmtpReplyLimiter#maxLine()}. */
    LINE,
    /** One (multi-line) reply longer than {@link SmtpReplyLimiter#maxReply()}. */
    REPLY,
    /** One reply took longer than {@code mail.mtasts.replyTimeout} from its first byte. */
    REPLY_TIME,
    /** The domain's delivery deadline ({@code mail.mtasts.deliveryDeadline}) passed. */
    DEADLINE
  }

  private final Limit limit;

  MxLimitException(Limit limit, String message) {
    super(message);
    this.limit = Objects.requireNonNull(limit, "limit");
  }

  MxLimitException(MxLimitException first, Throwable cause) {
    super(first.getMessage(), cause);
    this.limit = first.limit;
  }

  Limit limit() {
    return limit;
  }
}
