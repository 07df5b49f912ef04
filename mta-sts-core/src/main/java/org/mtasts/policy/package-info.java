/**
 * The MTA-STS policy model and its strict parsers (RFC 8461 §3, §4.1): pure values, no I/O, no
 * logging, all immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link org.mtasts.policy.PolicyRecord} parses the {@code _mta-sts} TXT record and {@link
 *       org.mtasts.policy.PolicyRecord#select(java.util.List)} picks the one record of an RRset,
 *       giving a {@link org.mtasts.policy.RecordSelection}.
 *   <li>{@link org.mtasts.policy.Policy} parses the policy body ({@link
 *       org.mtasts.policy.Policy#parse(CharSequence)}; {@link
 *       org.mtasts.policy.Policy#parseDetailed(CharSequence)} also returns {@link
 *       org.mtasts.policy.PolicyWarning warnings} and the raw lines) and answers whether an MX
 *       host is allowed.
 *   <li>{@link org.mtasts.policy.MxPattern} is one {@code mx} pattern and holds the matching rule.
 *   <li>{@link org.mtasts.policy.DomainNames} is the one place where host names are validated and
 *       normalised (A-labels, lower case, no trailing dot).
 * </ul>
 *
 * <p>Errors are typed: {@link org.mtasts.policy.PolicySyntaxException} (line and field) for policy
 * bodies, {@link org.mtasts.policy.RecordSyntaxException} for TXT records, and the unchecked
 * {@link org.mtasts.policy.InvalidDomainException} for host names and patterns given by a
 * program. Messages quote untrusted text with control characters escaped, so they are safe to
 * log.
 *
 * <p>Where RFC 8461 leaves room, these classes follow the project decisions of the RFC notes
 * (D-02, D-03, D-08 to D-14); each class documents the rules it applies.
 */
package org.mtasts.policy;
