/**
 * What every benchmark with a second JVM needs: the peer process (started with the ipc-core
 * argfile, killed on tear-down) and an owner-only scratch directory on {@code /dev/shm}.
 */
package ipc.bench.harness;
