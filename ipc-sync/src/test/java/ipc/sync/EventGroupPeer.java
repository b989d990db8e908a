package ipc.sync;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The other process in {@link EventGroupProcessTest}. Modes:
 * <ul>
 *   <li>{@code set <name> <delayMillis> <index>...}: opens the group, sleeps, sets each index;
 *       the exit code is how many sets took effect.</li>
 *   <li>{@code stress <name> <ownersFile> <rounds>}: reserve, claim the slot's owner word
 *       (CAS 0 -> pid), set, await, unclaim (CAS pid -> 0), release, {@code rounds} times, after
 *       all workers are ready; exit 3 on a double grant, 0 when done.</li>
 *   <li>{@code hold <name> <count> <readyFile>}: reserves {@code count} events, writes their
 *       indexes to readyFile, then sleeps until killed.</li>
 *   <li>{@code create <capacity> <readyFile>}: creates a group, writes its name, sleeps until killed.</li>
 *   <li>{@code tryCreate <capacity> <resultFile>}: tries to create a group, writes {@code created <name>}
 *       or {@code error <exception>}, closes it and exits 0.</li>
 *   <li>{@code createAndExit <capacity> <readyFile>}: creates a group, writes its name, and returns
 *       from main without closing it (the seed's pattern: the group lives as long as the program).</li>
 *   <li>{@code openAndExit <name>}: opens another process's group, reserves and sets an event, and
 *       returns from main without closing it (a backend's copy of its frontend's group).</li>
 *   <li>{@code closeRacingExit <groups> <readyFile>}: creates {@code groups} groups, writes their
 *       names, then calls {@code System.exit(0)} while one thread per group closes it, so that the
 *       closes race the exit hook.</li>
 * </ul>
 */
public final class EventGroupPeer {
    static final long READY_COUNT = 0;   // owners file: workers that are ready
    static final long GO = 64;           // owners file: parent sets 1 to start
    static final long OWNERS = 128;      // owners file: one long per slot, 128 B apart like the slots
    static final int EXIT_DOUBLE_GRANT = 3;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private EventGroupPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "set" -> System.exit(set(args));
            case "stress" -> System.exit(stress(args[1], Path.of(args[2]), Integer.parseInt(args[3])));
            case "hold" -> hold(args[1], Integer.parseInt(args[2]), Path.of(args[3]));
            case "create" -> create(Integer.parseInt(args[1]), Path.of(args[2]));
            case "tryCreate" -> tryCreate(Integer.parseInt(args[1]), Path.of(args[2]));
            case "createAndExit" -> announce(Path.of(args[2]), new EventGroup(Integer.parseInt(args[1])).name());
            case "openAndExit" -> {
                EventGroup eg = EventGroup.open(args[1]);
                eg.reserve().set();
            }
            case "closeRacingExit" -> closeRacingExit(Integer.parseInt(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException("mode=" + args[0]);
        }
    }

    private static int set(String[] args) throws InterruptedException {
        try (EventGroup eg = EventGroup.open(args[1])) {
            Thread.sleep(Long.parseLong(args[2]));
            int effective = 0;
            for (int i = 3; i < args.length; i++) {
                if (eg.set(Integer.parseInt(args[i]))) {
                    effective++;
                }
            }
            return effective;
        }
    }

    static long ownerOffset(int slot) {
        return OWNERS + slot * 128L;
    }

    private static int stress(String name, Path ownersFile, int rounds) throws InterruptedException {
        long pid = ProcessHandle.current().pid();
        try (EventGroup eg = EventGroup.open(name); SharedMapping owners = SharedMapping.open(ownersFile)) {
            MemorySegment words = owners.segment();
            LONG.getAndAdd(words, READY_COUNT, 1L);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((long) LONG.getAcquire(words, GO) == 0) {
                if (System.nanoTime() > deadline) {
                    return 4;
                }
                Thread.sleep(1);
            }
            for (int round = 0; round < rounds; round++) {
                SharedEvent event = eg.reserve();
                long owner = ownerOffset(EventGroupDescriptor.slot(event.index()));
                if (!LONG.compareAndSet(words, owner, 0L, pid)) {
                    System.err.println("double grant: " + event + " held by pid=" + (long) LONG.getVolatile(words, owner));
                    return EXIT_DOUBLE_GRANT;
                }
                event.set();
                event.await();
                if (!LONG.compareAndSet(words, owner, pid, 0L)) {
                    System.err.println("double grant: " + event + " taken by pid=" + (long) LONG.getVolatile(words, owner));
                    return EXIT_DOUBLE_GRANT;
                }
                eg.release(event);
            }
            return 0;
        }
    }

    private static void hold(String name, int count, Path readyFile) throws Exception {
        EventGroup eg = EventGroup.open(name);
        String indexes = Arrays.stream(new int[count]).map(i -> eg.reserve().index())
            .mapToObj(Integer::toString).collect(Collectors.joining(" "));
        announce(readyFile, indexes);
        Thread.sleep(60_000); // the test kills us well before
        System.exit(5);
    }

    private static void create(int capacity, Path readyFile) throws Exception {
        EventGroup eg = new EventGroup(capacity);
        announce(readyFile, eg.name());
        Thread.sleep(60_000); // the test kills us well before
        System.exit(5);
    }

    private static void tryCreate(int capacity, Path resultFile) throws IOException {
        String result;
        try (EventGroup eg = new EventGroup(capacity)) {
            result = "created " + eg.name();
        } catch (RuntimeException e) {
            result = "error " + e;
        }
        announce(resultFile, result);
    }

    private static void closeRacingExit(int groups, Path readyFile) throws IOException {
        java.util.List<EventGroup> made = new java.util.ArrayList<>();
        for (int i = 0; i < groups; i++) {
            made.add(new EventGroup(2));
        }
        announce(readyFile, made.stream().map(EventGroup::name).collect(Collectors.joining(" ")));
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (EventGroup eg : made) {
            Thread closer = new Thread(() -> {
                try {
                    go.await();
                    eg.close();
                } catch (Throwable t) {
                    t.printStackTrace();
                    Runtime.getRuntime().halt(6); // a close that fails against the exit hook
                }
            });
            closer.setDaemon(true);
            closer.start();
        }
        go.countDown();
        System.exit(0);
    }

    private static void announce(Path readyFile, String text) throws IOException {
        Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits for a file that {@link #announce} writes; fails the test after 20 s. */
    static String awaitAnnouncement(Path readyFile) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(readyFile)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("peer never announced: file=" + readyFile);
            }
            Thread.sleep(5);
        }
        return Files.readString(readyFile);
    }
}
