/**
 * Micrometer meters for MTA-STS clients: {@link org.mtasts.micrometer.MtaStsMetrics}, a listener
 * and {@code MeterBinder}. Optional: {@code org.mtasts.core} does not depend on Micrometer.
 */
module org.mtasts.micrometer {
  requires transitive org.mtasts.core;
  requires transitive micrometer.core;

  exports org.mtasts.micrometer;
}
