package ipc.core.tutorial;

import ipc.core.SharedMemory;

final class SharedMemoryTestSupport {
    private SharedMemoryTestSupport() {
    }

    static boolean exists(String name) {
        try (SharedMemory ignored = SharedMemory.open(name)) {
            return true;
        } catch (IllegalStateException missing) {
            return false;
        }
    }
}
