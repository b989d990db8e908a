/**
 * The baselines the library is measured against, each a JMH benchmark class with its echo peer:
 * raw Chronicle Queue excerpts, a raw futex hand-off on a shared segment, a Unix-domain socket,
 * and the seed's transport (Python's {@code multiprocessing.Pipe} with pickle).
 *
 * <p>Every round trip is one 8-byte sequence number there and back between two JVMs; the echo
 * checks nothing, the benchmark checks that the number it gets back is the one it sent.
 */
package ipc.bench.baseline;
