package ipc.bench.library;

import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's program, as {@link UserProgramStart} runs it in a fresh JVM from a class path whose
 * first entry is a class directory (how an IDE or {@code mvn exec} runs a user's code): it starts
 * {@code n} echo processes, with {@link MessageProcess#start()} for one and
 * {@link MessageProcess#startAll} for several (or one {@code start()} after another with the
 * argument {@value #SEQUENTIAL}), and prints {@code firstAnswerMs=} (the start's
 * call to the last first answer), then starts one more process and prints {@code laterAnswerMs=}
 * (a start once this JVM has started one: Chronicle already initialised here).
 */
public final class UserProgram {

    /** The second argument that makes it start its processes one after another (the baseline of startAll). */
    static final String SEQUENTIAL = "sequential";

    /** How long one answer may take: only catches a hang. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    /** The user's process: one handler that answers. */
    public static final class Echo extends MessageProcess {
        public Echo(String name) {
            super(name);
        }

        void c__echo(int i) {
            send_out__(new MessageObject("echo", "i", i));
        }
    }

    private UserProgram() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        boolean sequential = args.length > 1 && args[1].equals(SEQUENTIAL);
        List<Echo> processes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            processes.add(new Echo("user-" + i));
        }
        try {
            long begin = System.nanoTime();
            if (sequential) {
                processes.forEach(MessageProcess::start);
            } else if (n == 1) {
                processes.getFirst().start();
            } else {
                MessageProcess.startAll(processes);
            }
            for (Echo p : processes) {
                answer(p);
            }
            System.out.printf("firstAnswerMs=%.1f%n", (System.nanoTime() - begin) / 1e6);
            try (Echo later = new Echo("user-later")) {
                long laterBegin = System.nanoTime();
                later.start();
                answer(later);
                System.out.printf("laterAnswerMs=%.1f%n", (System.nanoTime() - laterBegin) / 1e6);
                later.stop();
            }
        } finally {
            processes.forEach(MessageProcess::close);
        }
    }

    private static void answer(Echo p) {
        p.sendMessageToBack(new MessageObject("echo", "i", 1));
        MessageObject answer = p.getPipe().recv(ANSWER_TIMEOUT);
        if (answer == null || answer.getInt("i") != 1) {
            throw new IllegalStateException("no echo from " + p + ": " + answer);
        }
    }
}
