/**
 * Contract tests of core's seams, shipped in core's test jar so that the stores of other modules
 * (Redis, JDBC) run the same behaviour tests as the built-in ones. A package of its own: the
 * tests of a named module that uses them cannot see test classes in a package of core.
 */
package org.mtasts.contract;
