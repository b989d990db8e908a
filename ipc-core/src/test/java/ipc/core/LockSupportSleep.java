package ipc.core;

import java.util.concurrent.locks.LockSupport;

final class LockSupportSleep {
    private LockSupportSleep() {
    }

    static void micros(long micros) {
        LockSupport.parkNanos(micros * 1000);
    }
}
