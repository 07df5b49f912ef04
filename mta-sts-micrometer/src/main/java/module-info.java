/**
 * Micrometer meters for MTA-STS clients: {@link org.mtasts.micrometer.MtaStsMetrics}, a listener
 * and {@code MeterBinder}. Optional: {@code org.mtasts.core} does not depend on Micrometer.
 */
// Micrometer ships as an automatic module (micrometer.core); its types are in this module's API
// (MeterBinder, MeterRegistry), so users need it readable: transitive on purpose.
@SuppressWarnings("requires-transitive-automatic")
module org.mtasts.micrometer {
  requires transitive org.mtasts.core;
  requires transitive micrometer.core;

  exports org.mtasts.micrometer;
}
