package ipc.core;

import ipc.core.launch.BackendLauncherTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

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

    /** Prints many lines, some in two writes with a pause between them, on stdout, stderr and its logger. */
    static final class ChattyProcess extends MessageProcess {
        ChattyProcess(String name) {
            super(name);
        }

        void c__chatter(int lines) throws InterruptedException {
            for (int i = 0; i < lines; i++) {
                System.out.println("backend line " + i + " " + "b".repeat(40));
                logger.info("backend log {}", i);
                if (i % 20 == 0) { // a line in two writes: the frontend prints in between, if anything can
                    System.out.print("backend partial " + i + " a");
                    System.out.flush();
                    System.err.print("backend err partial " + i + " a");
                    System.err.flush();
                    Thread.sleep(2);
                    System.out.println("b");
                    System.err.println("b");
                }
            }
            System.out.print("backend last line without newline");
            System.out.flush();
            send_out__(new MessageObject("chattered"));
        }
    }

    /**
     * A frontend (formatLogger: both sides log on stdout) that has its backend chatter while it
     * prints printf lines of several pieces each, then stops it.
     */
    public static final class ChattyMain {
        /** Enough lines that, with the pieces of each, a collision is near certain without forwarding. */
        static final int BACKEND_LINES = 2000;
        /** A cap on the frontend's lines, so a slow backend does not make the output file huge. */
        static final int FRONTEND_LINES_AT_MOST = 50_000;

        public static void main(String[] args) {
            MessageProcess.formatLogger();
            try (ChattyProcess p = new ChattyProcess("chatty")) {
                p.setJvmOptions(BackendLauncherTest.LEAN);
                p.start();
                p.sendMessageToBack(new MessageObject("chatter", "lines", BACKEND_LINES));
                MessageObject reply = null;
                for (int i = 0; reply == null; i++) {
                    if (i < FRONTEND_LINES_AT_MOST) {
                        System.out.printf("frontend %d: %s %s %d%n", i, "piece", "f".repeat(30), i);
                        reply = p.getPipe().recv(Duration.ZERO);
                    } else {
                        reply = p.getPipe().recv(RUN);
                    }
                }
                p.stop();
                System.out.println("frontend end: reply=" + reply.command() + " exitCode=" + p.exitCode().orElse(-1));
            }
        }
    }

    @Test
    void everyLineIsOneWholeFrontendLineOrOneWholeBackendLine(@TempDir Path dir) {
        try (ChildFrontend frontend = ChildFrontend.start(dir, false, List.of(), ChattyMain.class)) {
            assertEquals(0, frontend.waitFor(RUN), frontend.dump());
            List<Pattern> whole = List.of(
                Pattern.compile("frontend (\\d+): piece f{30} \\1"),
                Pattern.compile("backend line \\d+ b{40}"),
                Pattern.compile("INFO ChattyProcess\\.chatty - backend log \\d+"),
                Pattern.compile("backend partial \\d+ ab"),
                Pattern.compile("backend last line without newline"),
                Pattern.compile("frontend end: reply=chattered exitCode=0"));
            List<String> out = frontend.stdout().lines().toList();
            List<String> broken = out.stream().filter(l -> whole.stream().noneMatch(w -> w.matcher(l).matches())).toList();
            assertEquals(List.of(), broken.stream().limit(20).toList(), "lines that are not one whole line");
            int n = ChattyMain.BACKEND_LINES;
            assertEquals(n, out.stream().filter(l -> l.startsWith("backend line ")).count(), "every backend line arrived");
            assertEquals(n, out.stream().filter(l -> l.startsWith("INFO ChattyProcess.chatty - backend log ")).count());
            assertEquals(n / 20, out.stream().filter(l -> l.startsWith("backend partial ")).count());
            assertEquals("backend last line without newline", out.get(out.size() - 2),
                "the backend's unfinished last line comes before the frontend reports the stop\n");
            assertTrue(out.stream().filter(l -> l.startsWith("frontend ") && !l.startsWith("frontend end")).count() > 0);
            List<String> errPartials = frontend.stderr().lines().filter(l -> l.contains("backend err partial")).toList();
            assertEquals(n / 20, errPartials.size(), frontend.stderr());
            assertTrue(errPartials.stream().allMatch(l -> l.matches("backend err partial \\d+ ab")), errPartials.toString());
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
