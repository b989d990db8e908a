package ipc.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a backend's output goes, seen from outside a frontend JVM: System.out and System.err of
 * the backend reach the frontend's stdout and stderr (the seed's child printed to the same
 * terminal), and its logger is slf4j's {@code ClassName.name}; {@code formatLogger()} makes both
 * sides print {@code LEVEL ClassName.name - message} on stdout.
 */
@Timeout(120)
class BackendOutputTest {
    private static final Duration RUN = Duration.ofSeconds(60);

    /** Prints and logs in the backend; the frontend logs under the same name. */
    static final class TalkingProcess extends MessageProcess {
        TalkingProcess(String name) {
            super(name);
        }

        void c__talk() {
            System.out.println("backend stdout: pid=" + ProcessHandle.current().pid());
            System.err.println("backend stderr: pid=" + ProcessHandle.current().pid());
            logger.info("backend info");
            logger.debug("backend debug");
            send_out__(new MessageObject("talked"));
        }
    }

    /**
     * A frontend: with argument "format" it calls {@code MessageProcess.formatLogger()} first;
     * then it starts one backend named by the second argument, has it talk, logs, and stops it.
     */
    public static final class TalkingMain {
        public static void main(String[] args) {
            if (args[0].equals("format")) {
                MessageProcess.formatLogger();
            }
            try (TalkingProcess p = new TalkingProcess(args[1])) {
                p.setJvmOptions(BackendLauncherTest.LEAN);
                p.start();
                p.sendMessageToBack(new MessageObject("talk"));
                MessageObject reply = p.getPipe().recv(RUN);
                p.logger.info("frontend got {}", reply == null ? null : reply.command());
                p.stop();
                System.out.println("frontend pid=" + ProcessHandle.current().pid() + " backend pid="
                    + p.pid().orElseThrow() + " exitCode=" + p.exitCode().orElse(-1));
            }
        }
    }

    @Test
    void backendOutputReachesTheFrontendsStreamsAndItsLoggerIsClassNameDotName(@TempDir Path dir) {
        try (ChildFrontend frontend = ChildFrontend.start(dir, false, List.of(), TalkingMain.class, "plain", "talk-1")) {
            assertEquals(0, frontend.waitFor(RUN), frontend.dump());
            String out = frontend.stdout();
            String err = frontend.stderr();
            long backendPid = Long.parseLong(out.lines().filter(l -> l.startsWith("frontend pid="))
                .findFirst().orElseThrow(() -> new AssertionError(frontend.dump()))
                .replaceAll(".* backend pid=(\\d+) .*", "$1"));
            assertTrue(out.contains("exitCode=0"), frontend.dump());
            assertTrue(out.lines().anyMatch(("backend stdout: pid=" + backendPid)::equals), frontend.dump());
            assertTrue(err.lines().anyMatch(("backend stderr: pid=" + backendPid)::equals), frontend.dump());
            // slf4j-simple's default form, on stderr: "[thread] LEVEL name - message"
            assertTrue(err.lines().anyMatch(l -> l.endsWith(" INFO TalkingProcess.talk-1 - backend info")),
                frontend.dump());
            assertTrue(err.lines().anyMatch(l -> l.endsWith(" INFO TalkingProcess.talk-1 - frontend got talked")),
                "the frontend logs under the same name\n" + frontend.dump());
            assertFalse(out.contains("backend debug") || err.contains("backend debug"), "INFO is the default level");
        }
    }

    @Test
    void formatLoggerPrintsLevelNameMessageOnStdoutOnBothSides(@TempDir Path dir) {
        // A user's own slf4j-simple settings: formatLogger() overrides what it sets.
        List<String> userSettings = List.of("-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.showThreadName=true");
        try (ChildFrontend frontend = ChildFrontend.start(dir, false, userSettings, TalkingMain.class, "format", "fmt")) {
            assertEquals(0, frontend.waitFor(RUN), frontend.dump());
            List<String> out = frontend.stdout().lines().toList();
            assertTrue(out.contains("INFO TalkingProcess.fmt - backend info"), "the backend's line\n" + frontend.dump());
            assertTrue(out.contains("INFO TalkingProcess.fmt - frontend got talked"),
                "the frontend's line\n" + frontend.dump());
            assertFalse(frontend.stdout().contains("backend debug"), "formatLogger() is INFO\n" + frontend.dump());
            assertFalse(frontend.stderr().contains("TalkingProcess.fmt"), "logging moved to stdout\n" + frontend.dump());
        }
    }
}
