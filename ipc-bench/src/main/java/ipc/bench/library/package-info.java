/**
 * The library's benchmarks, each a JMH class whose series key ({@code SimpleClassName.method},
 * plus {@code :param=value}) is one of {@link ipc.bench.report.Catalog}'s library keys, so that
 * design.md's target rows pick it up ({@link ipc.bench.report.Targets}).
 *
 * <p>Like the baselines, every round trip is two JVMs, the other one started with the ipc-core
 * argfile by {@link ipc.bench.harness.PeerProcess}, ready before measuring and killed at
 * tear-down; every file they share lives under {@code ShmDirectory.root()} and is removed at
 * tear-down. The classes' own iteration counts are a full run's settings; the report's short
 * suite overrides them.
 */
package ipc.bench.library;
