/**
 * The library's own benchmarks, each beside a baseline of the same run: the MessageProcess round
 * trip ({@link ipc.bench.library.MessageProcessRoundTrip}), the one-way stream with its allocation
 * on both sides ({@link ipc.bench.library.MessageStream}), an idle backend's CPU
 * ({@link ipc.bench.library.IdleBackend}) and the /dev/shm footprint of a long stream
 * ({@link ipc.bench.library.ShmFootprint}). Every backend runs with the peers' JVM options
 * ({@link ipc.bench.harness.PeerProcess#PEER_HEAP}), so library and baselines get the same heap and collector.
 */
package ipc.bench.library;
