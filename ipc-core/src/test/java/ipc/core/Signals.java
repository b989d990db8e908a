package ipc.core;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Signals to a backend that a test started: SIGKILL through {@link ProcessHandle#destroyForcibly()}
 * (SIGKILL on Linux), SIGSTOP and SIGCONT through {@code kill(1)} (Java has no API for them). Only
 * ever the pid of a process the test itself started.
 */
final class Signals {
    /** Exit code Java reports for a process ended by SIGKILL: 128 + 9, as a shell does. */
    static final int SIGKILL_EXIT = 137;

    private Signals() {
    }

    /** Sends SIGKILL to the backend of {@code p}; returns System.nanoTime() just before. */
    static long kill(MessageProcess p) {
        long pid = p.pid().orElseThrow();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process: pid=" + pid));
        long at = System.nanoTime();
        if (!handle.destroyForcibly()) {
            throw new AssertionError("SIGKILL not sent: pid=" + pid);
        }
        return at;
    }

    static void stop(MessageProcess p) {
        send("-STOP", p);
    }

    static void cont(MessageProcess p) {
        send("-CONT", p);
    }

    private static void send(String signal, MessageProcess p) {
        long pid = p.pid().orElseThrow();
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill " + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kill " + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Milliseconds since {@code startNanos}. */
    static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Joins {@code t} up to {@code bound}; fails naming what hung. */
    static void joinOrFail(Thread t, Duration bound, String what) {
        try {
            t.join(bound);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
        if (t.isAlive()) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement e : t.getStackTrace()) {
                stack.append("\n\tat ").append(e);
            }
            throw new AssertionError(what + " still blocked after " + bound + ":" + stack);
        }
    }
}
