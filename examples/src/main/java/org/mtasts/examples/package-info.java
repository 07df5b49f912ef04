/** Small, runnable examples of the mta-sts-java API; each is smoke-run against the testkit. */
package org.mtasts.examples;
