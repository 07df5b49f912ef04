/**
 * The policy stores behind {@link org.mtasts.PolicyStore#none()} and {@link
 * org.mtasts.PolicyStore#directory(java.nio.file.Path)}, and the file format of the latter. Not
 * exported.
 */
package org.mtasts.internal.store;
