/** TLS-RPT report store implementations. Not exported. */
package org.mtasts.internal.report;
