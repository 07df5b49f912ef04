package org.mtasts.internal.fetch;

import static org.mtasts.internal.fetch.FetchFailures.failure;
import static org.mtasts.internal.fetch.FetchFailures.untrusted;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.mtasts.FetchFailure;
import org.mtasts.FetchedPolicy;
import org.mtasts.PolicyFetchException;
import org.mtasts.policy.ParsedPolicy;
import org.mtasts.policy.Policy;
import org.mtasts.policy.PolicySyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the policy host answered, judged (RFC 8461 §3.2, §3.3): a redirect is refused
 * (STS-FETCH-09), only status 200 yields a policy (STS-FETCH-08), the media type must be {@code
 * text/plain} (STS-FETCH-11, D-05), at most {@code maxBodyBytes} decoded bytes are read
 * (STS-FETCH-13/18, D-07), the body must be UTF-8 and a valid policy. {@link OkHttpPolicyFetcher}
 * sets up the call; this reads what comes back. Every header value quoted is made printable first
 * (SEC-20). Immutable and thread-safe.
 */
final class PolicyResponseReader {
  // Logged under the fetcher's name: one logger for everything the policy fetch says.
  private static final Logger log = LoggerFactory.getLogger(OkHttpPolicyFetcher.class);

  private final int maxBodyBytes;
  private final boolean requireTextPlain;

  PolicyResponseReader(int maxBodyBytes, boolean requireTextPlain) {
    this.maxBodyBytes = maxBodyBytes;
    this.requireTextPlain = requireTextPlain;
  }

  /** The policy {@code response} from {@code url} carries, or the failure it stands for. */
  FetchedPolicy read(String domain, HttpUrl url, Response response)
      throws PolicyFetchException, IOException {
    int code = response.code();
    // Header values and OkHttp's messages about a malformed status line are the policy host's
    // text: made printable before they reach a message, a log line or an API value (SEC-20).
    String location = untrusted(response.header("Location"));
    if (response.isRedirect() || (code >= 300 && code < 400 && location != null)) {
      throw failure(domain, FetchFailure.REDIRECT_REFUSED, url + " answered HTTP " + code
          + (location != null ? " redirecting to " + location : " (a redirect)")
          + "; RFC 8461 §3.3 forbids following redirects: serve the policy at this URL", null);
    }
    if (code != 200) {
      throw failure(domain, FetchFailure.HTTP_STATUS, url + " answered HTTP " + code
          + "; only 200 yields a policy", null);
    }
    ResponseBody body = response.body();
    List<String> contentTypes = response.headers("Content-Type");
    String contentType =
        contentTypes.isEmpty() ? null : untrusted(String.join(", ", contentTypes));
    // Several Content-Type headers are ambiguous (readers pick the first or the last): never
    // text/plain for this check.
    MediaType mediaType =
        contentTypes.size() == 1 ? MediaType.parse(contentTypes.get(0)) : null;
    boolean textPlain =
        mediaType != null
            && mediaType.type().equalsIgnoreCase("text")
            && mediaType.subtype().equalsIgnoreCase("plain");
    if (!textPlain) {
      String what =
          contentType == null
              ? "no Content-Type"
              : (contentTypes.size() > 1 ? "several Content-Type headers '" : "Content-Type '")
                  + contentType + "'";
      if (requireTextPlain) {
        throw failure(domain, FetchFailure.MEDIA_TYPE, url + " answered with " + what
            + "; RFC 8461 §3.2 requires text/plain", null);
      }
      log.warn("{} answered with {}; accepted because the media type check is off", url, what);
    }
    byte[] bytes = readBounded(domain, url, body.source());
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw failure(domain, FetchFailure.INVALID_ENCODING, url
          + " served a body that is not valid UTF-8", e);
    }
    ParsedPolicy parsed;
    try {
      parsed = Policy.parseDetailed(text);
    } catch (PolicySyntaxException e) {
      // TLSRPT-JSON-03: the report names the policy as served, the lines that broke it included.
      throw new PolicyFetchException(domain, FetchFailure.POLICY_SYNTAX, url
          + " served an invalid policy: " + e.getMessage(), e, Policy.splitLines(text));
    }
    String tlsVersion =
        response.handshake() != null ? response.handshake().tlsVersion().javaName() : null;
    return new FetchedPolicy(domain, url.toString(), parsed, contentType, tlsVersion);
  }

  /** Reads at most {@code maxBodyBytes} decoded bytes; one more is a failure, never truncation. */
  private byte[] readBounded(String domain, HttpUrl url, BufferedSource source)
      throws PolicyFetchException, IOException {
    long limit = (long) maxBodyBytes + 1;
    Buffer buffer = new Buffer();
    while (buffer.size() < limit) {
      long read = source.read(buffer, limit - buffer.size());
      if (read == -1) {
        break;
      }
    }
    if (buffer.size() > maxBodyBytes) {
      throw failure(domain, FetchFailure.BODY_TOO_LARGE, url + " served more than "
          + maxBodyBytes + " bytes; a policy must be smaller", null);
    }
    return buffer.readByteArray();
  }
}
