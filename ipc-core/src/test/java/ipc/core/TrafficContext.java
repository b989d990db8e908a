package ipc.core;

import ipc.sync.EventGroup;
import ipc.sync.SyncIndex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The load and soak tests' program: a MainContext with {@link Config#peers} {@link LoadProcess}
 * backends, multiplexed on one thread with {@link Select#safeSelect}. Every message is checked by
 * its {@link LoadPeer} (order both ways, checksum, shared-memory answers); any failure is an
 * AssertionError out of {@link #call()}, after {@link #close()} has run.
 *
 * <p>Load mode ({@link Config#soak} null): each backend gets {@link Config#messagesPerPeer} data
 * messages, at most {@link Config#window} unacknowledged at a time (a bound on what waits in the
 * queues; the sender never blocks, so without it the frontend would only measure queue growth).
 * Soak mode: for {@link Config#soak}, the same data traffic mixed with one-way streams,
 * SyncIndex rounds, shared-memory rounds and, every {@link Config#restartEvery}, a backend
 * replaced: alternately stopped cleanly (its final counts checked) and killed with SIGKILL (the
 * received prefix checked, exit code 137).
 */
final class TrafficContext extends MainContext {
    /** A wait longer than this for any message while traffic is outstanding is a hang. */
    static final Duration STALL = Duration.ofSeconds(30);

    /**
     * @param backendJvmOptions the backends' JVM options, null for the library's default
     * @param window            data messages in flight per backend at most: 256 keeps every
     *                          backend busy between two visits of the frontend's loop and the
     *                          queues small
     */
    record Config(int peers, long messagesPerPeer, int window, Duration soak, Duration restartEvery, long seed,
                  List<String> backendJvmOptions) {
        static Config load(int peers, long messagesPerPeer) {
            return new Config(peers, messagesPerPeer, 256, null, null, 1, null);
        }

        static Config soak(int peers, Duration soak, Duration restartEvery) {
            return new Config(peers, Long.MAX_VALUE, 256, soak, restartEvery, 7, null);
        }

        Config withBackendJvmOptions(List<String> options) {
            return new Config(peers, messagesPerPeer, window, soak, restartEvery, seed, options);
        }
    }

    /** What a run did, for the log and the asserts. */
    static final class Stats {
        long dataMessages;
        long items;
        long syncs;
        long shmRounds;
        int cleanRestarts;
        int killRestarts;
        long maxShmBytes;
        int maxFds;
        int maxThreads;
        /** Starting the backends (JVM start to ready, one after another). */
        long startNanos;
        /** The traffic, from the first message sent to the last backend's final message. */
        long trafficNanos;

        @Override
        public String toString() {
            double seconds = trafficNanos / 1e9;
            return String.format("data=%d (%.0f round trips/s) items=%d syncs=%d shmRounds=%d restarts=%d clean + %d"
                    + " SIGKILL, max during run: shmBytes=%d (apparent: sparse cycle files count whole) fds=%d"
                    + " threads=%d; start %.1f s, traffic %.1f s",
                dataMessages, dataMessages / seconds, items, syncs, shmRounds, cleanRestarts, killRestarts,
                maxShmBytes, maxFds, maxThreads, startNanos / 1e9, seconds);
        }
    }

    private final Config config;
    private final List<LoadPeer> peers = new ArrayList<>();
    private final Map<Pipe, LoadPeer> byPipe = new HashMap<>();
    private final List<LoadPeer> retired = new ArrayList<>();
    private final SplittableRandom random;
    final Stats stats = new Stats();
    private int generation;
    private boolean closed;

    TrafficContext(Config config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
    }

    @Override
    protected void startProcesses() {
        for (int i = 0; i < config.peers(); i++) {
            peers.add(newPeer(i));
        }
        for (LoadPeer p : peers) {
            p.process.ignoreSIGINT();
            p.process.start();
            byPipe.put(p.pipe, p);
        }
    }

    private LoadPeer newPeer(int id) {
        EventGroup events = new EventGroup(4);
        try {
            return new LoadPeer(id, "load-" + id + "-" + generation++, events, config.backendJvmOptions());
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    @Override
    protected void startThreads() {
        // one thread: this loop
    }

    @Override
    public void call() {
        long t0 = System.nanoTime();
        start();
        long t1 = System.nanoTime();
        stats.startNanos = t1 - t0;
        try {
            if (config.soak() == null) {
                loadLoop();
            } else {
                soakLoop();
            }
            stopAllAndCheck();
        } finally {
            stats.trafficNanos = System.nanoTime() - t1;
            close();
        }
    }

    /** Stops every backend (requests first, so they stop in parallel) and checks each one's final counts. */
    private void stopAllAndCheck() {
        for (LoadPeer p : peers) {
            p.process.requestStop();
        }
        for (LoadPeer p : peers) {
            p.stopAndCheck(STALL);
            stats.dataMessages += p.acked;
            stats.items += p.items;
            stats.syncs += p.syncs;
            stats.shmRounds += p.shmRounds;
        }
        for (LoadPeer p : retired) {
            stats.dataMessages += p.acked;
            stats.items += p.items;
            stats.syncs += p.syncs;
            stats.shmRounds += p.shmRounds;
        }
    }

    private void loadLoop() {
        long remaining = (long) config.peers() * config.messagesPerPeer();
        for (LoadPeer p : peers) {
            topUp(p);
        }
        long nextSample = System.nanoTime();
        while (remaining > 0) {
            remaining -= selectAndDrain();
            if (System.nanoTime() - nextSample > 0) {
                sample();
                nextSample = System.nanoTime() + 1_000_000_000L;
            }
        }
        sample();
    }

    private void soakLoop() {
        long start = System.nanoTime();
        long end = start + config.soak().toNanos();
        long nextRestart = start + config.restartEvery().toNanos();
        long nextLog = start;
        long nextSync = start;
        for (LoadPeer p : peers) {
            topUp(p);
        }
        while (System.nanoTime() - end < 0) {
            for (LoadPeer p : peers) {
                if (p.itemsDue == 0 && random.nextInt(200) == 0) {
                    p.sendStream(100 + random.nextInt(2_000));
                }
                if (!p.shmInFlight() && random.nextInt(20) == 0) {
                    p.sendShm(random.nextInt(LoadProcess.SHM_SLOTS), random.nextLong());
                }
            }
            if (System.nanoTime() - nextSync > 0) {
                syncRound(peers.get(random.nextInt(peers.size())));
                // at most ~100 rounds a second; each waits behind up to a window of queued data,
                // so ~10 a second happen (measured)
                nextSync = System.nanoTime() + 10_000_000L;
            }
            selectAndDrain();
            long now = System.nanoTime();
            if (now - nextRestart > 0) {
                restartOne();
                nextRestart = System.nanoTime() + config.restartEvery().toNanos();
            }
            if (now - nextLog > 0) {
                sample();
                logger.info("soak {} s: {}", (now - start) / 1_000_000_000L, progress());
                nextLog = now + 10_000_000_000L;
            }
        }
        sample();
    }

    /** A SyncIndex round: reserve, send the index behind the queued traffic, wait for the backend's set. */
    private void syncRound(LoadPeer p) {
        try (SyncIndex sync = new SyncIndex(p.process.events(), STALL)) {
            p.sendSync(sync.index());
        }
    }

    /** Replaces one backend: even restarts stop it cleanly, odd ones SIGKILL it. */
    private void restartOne() {
        int restarts = stats.cleanRestarts + stats.killRestarts;
        int index = restarts % peers.size();
        LoadPeer old = peers.get(index);
        if (restarts % 2 == 0) {
            old.stopAndCheck(STALL);
            stats.cleanRestarts++;
        } else {
            Signals.kill(old.process);
            old.drainToEnd(STALL); // every message it sent before dying: gap-free, checked
            if (old.exitCode().orElse(-1) != Signals.SIGKILL_EXIT) {
                throw new AssertionError(old + ": expected exit 137 after SIGKILL, got " + old.exitCode());
            }
            stats.killRestarts++;
        }
        byPipe.remove(old.pipe);
        closePeer(old);
        retired.add(old);
        LoadPeer fresh = newPeer(old.id);
        fresh.process.ignoreSIGINT();
        try {
            fresh.process.start();
        } catch (RuntimeException e) {
            closePeer(fresh);
            throw e;
        }
        peers.set(index, fresh);
        byPipe.put(fresh.pipe, fresh);
        topUp(fresh);
    }

    /** Sends data until the peer's window is full or its quota is sent. */
    private void topUp(LoadPeer p) {
        while (p.unacked.size() < config.window() && p.dataSent < config.messagesPerPeer()) {
            p.sendData();
        }
    }

    /**
     * Waits for ready pipes and reads what is there (at most a window per pipe, for fairness),
     * topping each one up after; returns how many data acks arrived.
     */
    private long selectAndDrain() {
        List<Pipe> ready = Select.safeSelect(byPipe.keySet(), STALL);
        if (ready.isEmpty()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new AssertionError("interrupted: " + progress());
            }
            throw new AssertionError("no message within " + STALL + " (a hang): " + progress());
        }
        long acks = 0;
        for (Pipe pipe : ready) {
            LoadPeer p = byPipe.get(pipe);
            for (int n = 0; n < config.window(); n++) {
                MessageObject m = pipe.recv(Duration.ZERO);
                if (m == null) {
                    if (pipe.poll() && !p.process.isAlive()) {
                        throw new AssertionError(p + ": backend died, exitCode=" + p.exitCode());
                    }
                    break;
                }
                if (p.onMessage(m).equals("ack")) {
                    acks++;
                }
            }
            topUp(p);
        }
        return acks;
    }

    private void sample() {
        LeakProbe now = LeakProbe.now();
        stats.maxShmBytes = Math.max(stats.maxShmBytes, now.shmBytes());
        stats.maxFds = Math.max(stats.maxFds, now.fds().size());
        stats.maxThreads = Math.max(stats.maxThreads, now.threads().size());
    }

    String progress() {
        StringBuilder s = new StringBuilder();
        for (LoadPeer p : peers) {
            s.append("\n  ").append(p);
        }
        return s.toString();
    }

    /** Stops and closes every backend and its event group. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LoadPeer p : peers) {
            p.process.requestStop();
        }
        RuntimeException failure = null;
        for (LoadPeer p : peers) {
            try {
                closePeer(p);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closePeer(LoadPeer p) {
        try {
            p.process.close();
        } finally {
            p.process.events().close();
        }
    }
}
