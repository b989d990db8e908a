/**
 * The library's benchmarks, each a JMH class (or a report Driver) whose series key
 * ({@code SimpleClassName.method}, plus {@code :param=value}) is one of
 * {@link ipc.bench.report.Catalog}'s library keys, so that design.md's target rows pick it up
 * ({@link ipc.bench.report.Targets}), each beside a baseline of the same run: the MessageProcess
 * round trip ({@link ipc.bench.library.MessageProcessRoundTrip}), the SyncIndex round trip
 * ({@link ipc.bench.library.SyncIndexRoundTrip}), the one-way stream with its allocation on both
 * sides ({@link ipc.bench.library.MessageStream}), an idle backend's CPU
 * ({@link ipc.bench.library.IdleBackend}), the /dev/shm footprint of a long stream
 * ({@link ipc.bench.library.ShmFootprint}) and start to ready
 * ({@link ipc.bench.library.BackendStart}).
 *
 * <p>Like the baselines, every round trip is two JVMs, the other one started with the ipc-core
 * argfile and the peers' JVM options ({@link ipc.bench.harness.PeerProcess#PEER_HEAP}), ready
 * before measuring and stopped at tear-down; every file they share lives under
 * {@code ShmDirectory.root()} and is removed at tear-down. The classes' own iteration counts are
 * a full run's settings; the report's short suite overrides them.
 */
package ipc.bench.library;
