package ipc.core.tool;

import ipc.core.Journal;
import ipc.core.MessageObject;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The command line tool: {@code java @ipc-core/jvm.options -cp <classpath> ipc.core.tool.Ipc <command>}.
 *
 * <ul>
 *   <li>{@code dump <journal dir>}: every message of a journal ({@code MessageProcess.setJournal}),
 *       one a line: the direction ({@code to-backend}, then {@code to-frontend}), a space, the
 *       MessageObject's {@code toString()}; each direction in the order sent.</li>
 * </ul>
 * A bad command or a missing argument: the usage on stderr, exit code 2. A directory that holds
 * no journal: the reason on stderr, exit code 1.
 */
public final class Ipc {
    /** Exit code of a usage error, as the shells and most tools use it. */
    static final int USAGE = 2;

    private Ipc() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            return usage(err, "no command");
        }
        switch (args[0]) {
            case "dump" -> {
                if (args.length != 2) {
                    return usage(err, "dump needs one argument, the journal directory");
                }
                return dump(Path.of(args[1]), out, err);
            }
            case "help", "-h", "--help" -> {
                usage(out, null);
                return 0;
            }
            default -> {
                return usage(err, "unknown command: " + args[0]);
            }
        }
    }

    private static int dump(Path dir, PrintStream out, PrintStream err) {
        try (Journal journal = Journal.open(dir)) {
            for (MessageObject m : journal.toBackend()) {
                out.println("to-backend " + m);
            }
            for (MessageObject m : journal.toFrontend()) {
                out.println("to-frontend " + m);
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("ipc dump: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream to, String problem) {
        if (problem != null) {
            to.println("ipc: " + problem);
        }
        to.println("usage: java @ipc-core/jvm.options -cp <classpath> ipc.core.tool.Ipc <command>");
        to.println("commands:");
        to.println("  dump <journal dir>   every message of a journal (MessageProcess.setJournal), one a line:");
        to.println("                       to-backend / to-frontend, then the message");
        return USAGE;
    }
}
