/**
 * The README's first command: {@link ipc.bench.demo.Demo}, a MainContext with three worker
 * backends, messages multiplexed with safeSelect, an EventGroup sync over a shared array, and a
 * round-trip latency summary.
 */
package ipc.bench.demo;
