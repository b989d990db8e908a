package ipc.core;

import ipc.core.launch.BackendLauncherTest;

import ipc.sync.ShmDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals to a frontend's process tree, from outside, as a terminal or an OOM killer sends them:
 * a frontend JVM of its own (in its own process group) with two backends, one with
 * {@code ignoreSIGINT()} and one without.
 */
@Timeout(120)
class SignalTest {
    private static final Duration START = Duration.ofSeconds(60);
    /** The requirement is "within a second"; the bound is wider so a loaded machine does not fail it. */
    private static final Duration GONE_BOUND = Duration.ofSeconds(5);
    /**
     * An orphaned backend is reaped by pid 1, not by us; in this sandbox that takes ~1.5 s after
     * its exit. The bound only catches a process that never goes.
     */
    private static final Duration REAP_BOUND = Duration.ofSeconds(30);
    /** What a shell reports for a process ended by SIGINT (128 + 2); a JVM exits so on SIGINT. */
    private static final int SIGINT_EXIT = 130;
    /**
     * How long the frontend's probe keeps watching after the plain backend died of SIGINT before it
     * reports whether the ignoring one still runs: a backend that did not ignore it is gone in
     * tens of ms.
     */
    private static final long SURVIVAL_MS = 500;

    /** A backend that does nothing but serve: it leaves only by stop, signal or watchdog. */
    static final class IdleProcess extends MessageProcess {
        IdleProcess(String name) {
            super(name);
        }
    }

    /**
     * A frontend with two backends, "ignoring" (ignoreSIGINT) and "plain", that prints
     * {@code PIDS frontend=.. ignoring=.. plain=..} and sleeps. With argument "probe" it also adds
     * a shutdown hook that reports, while the frontend is still alive (so the backends' watchdogs
     * have not fired), how each backend fared after a SIGINT: {@code AFTER-SIGINT ...}. The
     * frontend does nothing else about SIGINT: it behaves as any JVM (hooks, exit 130) and never
     * stops its backends.
     */
    public static final class TwoBackendsMain {
        public static void main(String[] args) throws InterruptedException {
            IdleProcess ignoring = new IdleProcess("ignoring");
            ignoring.ignoreSIGINT();
            ignoring.setJvmOptions(BackendLauncherTest.LEAN);
            IdleProcess plain = new IdleProcess("plain");
            plain.setJvmOptions(BackendLauncherTest.LEAN);
            ignoring.start();
            plain.start();
            if (args.length > 0 && args[0].equals("probe")) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> report(ignoring, plain), "sigint-probe"));
            }
            System.out.println("PIDS frontend=" + ProcessHandle.current().pid()
                + " ignoring=" + ignoring.pid().orElseThrow() + " plain=" + plain.pid().orElseThrow());
            Thread.sleep(Duration.ofMinutes(2));
        }

        private static void report(IdleProcess ignoring, IdleProcess plain) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (plain.isAlive() && System.nanoTime() - deadline < 0) {
                ChildFrontend.sleep(Duration.ofMillis(5));
            }
            ChildFrontend.sleep(Duration.ofMillis(SURVIVAL_MS));
            System.out.println("AFTER-SIGINT ignoring.alive=" + ignoring.isAlive()
                + " plain.alive=" + plain.isAlive() + " plain.exitCode=" + plain.exitCode().orElse(-1));
        }
    }

    @Test
    void sigintToTheGroupEndsThePlainBackendAndTheFrontendButNotTheIgnoringBackend(@TempDir Path dir) {
        try (ChildFrontend frontend = ChildFrontend.start(dir, true, List.of(), TwoBackendsMain.class, "probe")) {
            Map<String, Long> pids = parsePids(frontend.awaitLine("PIDS ", START));
            long group = ChildFrontend.processGroup(frontend.pid());
            assertEquals(frontend.pid(), pids.get("frontend"), "setsid exec'd the JVM itself");
            assertEquals(frontend.pid(), group, "the frontend leads its own process group");
            assertNotEquals(ChildFrontend.processGroup(ProcessHandle.current().pid()), group,
                "the test's JVM is outside the group it signals");
            assertEquals(group, ChildFrontend.processGroup(pids.get("ignoring")), "backends share the frontend's group");
            assertEquals(group, ChildFrontend.processGroup(pids.get("plain")));

            kill("-INT", "-" + group); // what Ctrl-C in the frontend's terminal does

            assertEquals(SIGINT_EXIT, frontend.waitFor(Duration.ofSeconds(30)),
                "the frontend ends as a plain JVM does on SIGINT\n" + frontend.dump());
            long frontendGoneAt = System.nanoTime();
            String after = frontend.awaitLine("AFTER-SIGINT ", Duration.ZERO);
            assertEquals("AFTER-SIGINT ignoring.alive=true plain.alive=false plain.exitCode=" + SIGINT_EXIT, after,
                "SIGINT ended the plain backend and not the ignoring one\n" + frontend.dump());

            // The ignoring backend outlives the SIGINT, then leaves by its watchdog: frontend gone.
            assertTrue(ChildFrontend.awaitExit(pids.get("ignoring"), GONE_BOUND),
                "the ignoring backend outlived its frontend by " + GONE_BOUND + "\n" + frontend.dump());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frontendGoneAt);
            System.out.println("SIGINT: ignoring backend exited " + tookMs + " ms after its frontend exited");
            assertFalse(ChildFrontend.isRunning(pids.get("plain")));
            for (String process : List.of("ignoring", "plain")) {
                assertTrue(ChildFrontend.awaitGone(pids.get(process), REAP_BOUND), process + " backend never reaped");
            }
            assertTrue(frontend.stderr().contains("frontend gone, backend exits: frontendPid=" + frontend.pid()),
                "the watchdog ended the ignoring backend\n" + frontend.dump());

            // Nobody closed the processes, so their files stay until a stale sweep (the next start of
            // any frontend on this machine; other JVMs may have swept them already).
            long[] all = {pids.get("frontend"), pids.get("ignoring"), pids.get("plain")};
            System.out.println("SIGINT: left before the sweep: " + ShmEntries.ownedBy(all));
            ShmDirectory.cleanStale();
            assertEquals(Set.of(), ShmEntries.ownedBy(all), "the stale sweep removed every file of the tree");
        }
    }

    @Test
    void sigkillOfTheFrontendEndsEveryBackendAndTheNextStartRemovesItsFiles(@TempDir Path dir) throws Exception {
        try (ChildFrontend frontend = ChildFrontend.start(dir, true, List.of(), TwoBackendsMain.class)) {
            Map<String, Long> pids = parsePids(frontend.awaitLine("PIDS ", START));
            long frontendPid = pids.get("frontend");
            Set<String> left = ShmEntries.ownedBy(frontendPid);
            assertTrue(left.stream().filter(n -> n.startsWith("ch-")).count() == 2, "two channels: " + left);

            long t0 = System.nanoTime();
            frontend.process().destroyForcibly(); // SIGKILL: no hook, no close, no chance to stop anything
            assertEquals(137, frontend.waitFor(Duration.ofSeconds(10)));
            long reapedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            for (String backend : List.of("ignoring", "plain")) {
                assertTrue(ChildFrontend.awaitExit(pids.get(backend), GONE_BOUND),
                    backend + " backend outlived its SIGKILLed frontend by " + GONE_BOUND + "\n" + frontend.dump());
                System.out.println("SIGKILL: " + backend + " backend exited "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after the frontend was killed"
                    + " (frontend reaped after " + reapedMs + " ms)");
            }
            for (String backend : List.of("ignoring", "plain")) {
                assertTrue(ChildFrontend.awaitGone(pids.get(backend), REAP_BOUND), backend + " backend never reaped");
            }
            System.out.println("SIGKILL: both backends reaped (by pid 1) "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after the kill");
            String err = frontend.stderr();
            assertEquals(2, err.split("frontend gone, backend exits: frontendPid=" + frontendPid, -1).length - 1,
                "both backends left by their watchdog\n" + frontend.dump());

            // A SIGKILLed frontend removes nothing itself; its files wait for a stale sweep (other JVMs
            // on this machine may have run one already).
            System.out.println("SIGKILL: left before the next start: " + ShmEntries.ownedBy(frontendPid));
            try (IdleProcess next = new IdleProcess("next")) {
                next.setJvmOptions(BackendLauncherTest.LEAN);
                next.start(); // any frontend's start sweeps the entries of dead pids
                assertEquals(Set.of(), ShmEntries.ownedBy(frontendPid, pids.get("ignoring"), pids.get("plain")),
                    "files of the dead frontend left after the next start");
                next.stop();
            }
        }
    }

    private static Map<String, Long> parsePids(String line) {
        Map<String, Long> pids = new HashMap<>();
        for (String part : line.substring("PIDS ".length()).split(" ")) {
            String[] kv = part.split("=");
            pids.put(kv[0], Long.parseLong(kv[1]));
        }
        return pids;
    }

    private static void kill(String signal, String target) {
        try {
            Process kill = new ProcessBuilder("kill", signal, "--", target).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill " + signal + " -- " + target);
        } catch (Exception e) {
            throw new AssertionError("kill " + signal + " -- " + target, e);
        }
    }
}
