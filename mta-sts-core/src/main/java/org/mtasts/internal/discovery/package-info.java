/** Policy discovery over DNS (RFC 8461 §3.1). Not exported. */
package org.mtasts.internal.discovery;
