/** The HTTPS policy fetch (RFC 8461 §3.3) over OkHttp. Not exported. */
package org.mtasts.internal.fetch;
