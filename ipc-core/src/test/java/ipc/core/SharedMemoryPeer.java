package ipc.core;

import java.lang.foreign.ValueLayout;

/**
 * The other process of {@link SharedMemoryTest}, run in a child JVM.
 * <ul>
 *   <li>{@code open <name>}: opens the segment, expects 41 at offset 0, writes 42 at offset 8
 *       (exit 0; 1 when the value is wrong or the instance claims to be the creator)</li>
 *   <li>{@code create <name> <size>}: creates the segment, writes 7 at offset 8, then waits to be
 *       killed (its close never runs: a crash leftover)</li>
 * </ul>
 */
public final class SharedMemoryPeer {
    private SharedMemoryPeer() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[1];
        switch (args[0]) {
            case "open" -> {
                try (SharedMemory shm = SharedMemory.open(name)) {
                    long seen = shm.segment().get(ValueLayout.JAVA_LONG, 0);
                    if (seen != 41 || shm.isCreator()) {
                        System.err.println("peer: expected 41 from an opener, got " + seen + " creator=" + shm.isCreator());
                        System.exit(1);
                    }
                    shm.segment().set(ValueLayout.JAVA_LONG, 8, 42L);
                }
                System.exit(0);
            }
            case "create" -> {
                SharedMemory shm = SharedMemory.create(name, Long.parseLong(args[2]));
                shm.segment().set(ValueLayout.JAVA_LONG, 8, 7L);
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> System.exit(64);
        }
    }
}
