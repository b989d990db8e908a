/**
 * The baselines the library is measured against, each a JMH benchmark class with its echo peer:
 * raw Chronicle Queue excerpts, a raw futex hand-off on a shared segment, a Unix-domain socket,
 * and the seed's transport (Python's {@code multiprocessing.Pipe} with pickle).
 *
 * <p>Every round trip is one 8-byte sequence number there and back between two JVMs; the echo
 * checks nothing, the benchmark checks that the number it gets back is the one it sent.
 *
 * <p>The classes' {@code @Warmup(5 x 1 s)} and {@code @Measurement(10 x 1 s)} are a full run's
 * settings: C2 has compiled both JVMs' loops within the first seconds, and ten seconds give ~200 k
 * samples per series (JMH keeps ~20 per ms). The report's short suite overrides them
 * (ipc.bench.report.SuiteOptions). {@link ipc.bench.baseline.PythonPipeBaseline} is not a JMH
 * benchmark: Python times itself.
 */
package ipc.bench.baseline;
