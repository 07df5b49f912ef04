package org.mtasts.report;

import java.net.URI;
import java.util.Objects;
import org.mtasts.internal.text.Texts;

/**
 * One usable {@code rua} destination of a TLS-RPT record (RFC 8460 §3): a {@link Mailto} address
 * or an {@link Https} endpoint. Other schemes are never represented (project decision D-30).
 * Implementations are immutable records.
 */
public sealed interface ReportDestination
    permits ReportDestination.Mailto, ReportDestination.Https {

  /**
   * Returns the URI exactly as written in the record.
   *
   * @return the URI text
   */
  String uri();

  /**
   * A {@code mailto:} destination.
   *
   * @param uri the URI as written, e.g. {@code mailto:tls%21rpt@example.com?subject=x}
   * @param address the address to send to: percent-decoded (RFC 6068), header fields after
   *     {@code ?} dropped, domain normalised to lower-case A-labels, e.g. {@code
   *     tls!rpt@example.com}
   */
  record Mailto(String uri, String address) implements ReportDestination {
    /**
     * Creates a destination; the arguments are not validated beyond null checks.
     *
     * @param uri the URI as written
     * @param address the decoded address
     * @throws NullPointerException if an argument is null
     */
    public Mailto {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(address, "address");
    }

    /**
     * Returns e.g. {@code Mailto[uri=mailto:a@example.com, address=a@example.com]}; the decoded
     * address may hold any non-ASCII character (RFC 6531), so it is made printable (SEC-20).
     */
    @Override
    public String toString() {
      return "Mailto[uri=" + Texts.printable(uri, uri.length())
          + ", address=" + Texts.printable(address, address.length()) + "]";
    }
  }

  /**
   * An {@code https:} destination, used as written (no decoding).
   *
   * @param uri the URI as written, e.g. {@code https://reports.example/v1/tlsrpt}
   */
  record Https(String uri) implements ReportDestination {
    /**
     * Creates a destination; the argument is not validated beyond a null check.
     *
     * @param uri the URI as written
     * @throws NullPointerException if {@code uri} is null
     */
    public Https {
      Objects.requireNonNull(uri, "uri");
    }

    /**
     * Returns the URI as a {@link URI}.
     *
     * @return the URI
     * @throws IllegalArgumentException if the text is not a valid URI (never for destinations
     *     produced by {@link TlsRptRecord#parse(String)})
     */
    public URI toUri() {
      return URI.create(uri);
    }
  }
}
