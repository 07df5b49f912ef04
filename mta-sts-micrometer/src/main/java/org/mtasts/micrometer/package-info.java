/**
 * Micrometer meters for {@link org.mtasts.MtaSts} clients. {@link
 * org.mtasts.micrometer.MtaStsMetrics} is both the client's listener and a {@code MeterBinder};
 * its class documentation lists the meters and their tags.
 */
package org.mtasts.micrometer;
