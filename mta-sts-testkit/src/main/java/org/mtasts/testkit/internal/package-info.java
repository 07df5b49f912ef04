/**
 * Internal helpers shared by the testkit's own packages. <b>Not API:</b> the types here are public
 * only so that {@code org.mtasts.testkit.https} and {@code org.mtasts.testkit.smtp} can share them;
 * they may change or disappear in any release, and code outside the testkit must not use them.
 */
package org.mtasts.testkit.internal;
