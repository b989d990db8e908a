package ipc.core.tool;

import ipc.core.Journal;
import ipc.core.tool.LiveProcess;
import ipc.core.MessageObject;
import java.util.List;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The command line tool: {@code java @ipc-core/jvm.options -cp <classpath> ipc.core.tool.Ipc <command>}.
 *
 * <ul>
 *   <li>{@code list}: one line per live process of this user: name, frontend and backend pid,
 *       transport, frames sent each way, backlog each way (sent, not yet read).</li>
 *   <li>{@code tail <name>}: follows a live process's messages as they pass, one a line, until it
 *       ends (or Ctrl-C); {@code name} as {@code list} shows it, or only the part after the dot.</li>
 *   <li>{@code dump <journal dir>}: every message of a journal ({@code MessageProcess.setJournal}),
 *       one a line: the direction ({@code to-backend}, then {@code to-frontend}), a space, the
 *       MessageObject's {@code toString()}; each direction in the order sent.</li>
 * </ul>
 * A bad command or a missing argument: the usage on stderr, exit code 2. A directory that holds
 * no journal, or no live process of that name: the reason on stderr, exit code 1.
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
            case "list" -> {
                if (args.length != 1) {
                    return usage(err, "list takes no argument");
                }
                return list(out);
            }
            case "tail" -> {
                if (args.length != 2) {
                    return usage(err, "tail needs one argument, the process name");
                }
                return tail(args[1], out, err, () -> !Thread.currentThread().isInterrupted());
            }
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

    private static int list(PrintStream out) {
        List<LiveProcess> live = LiveProcess.list();
        int width = Math.max(4, live.stream().mapToInt(p -> p.name().length()).max().orElse(4));
        String format = "%-" + width + "s  %8s  %8s  %-9s  %10s  %11s  %s%n";
        out.printf(format, "NAME", "FRONTEND", "BACKEND", "TRANSPORT", "TO-BACKEND", "TO-FRONTEND", "BACKLOG");
        for (LiveProcess p : live) {
            out.printf(format, p.name(), p.frontendPid(), p.backendPid() == 0 ? "-" : Long.toString(p.backendPid()),
                p.transport(), p.toBackend(), p.toFrontend(), p.backlogToBackend() + "/" + p.backlogToFrontend());
        }
        return 0;
    }

    /** Follows {@code name} until it ends or {@code keepGoing} is false. */
    static int tail(String name, PrintStream out, PrintStream err, java.util.function.BooleanSupplier keepGoing) {
        LiveProcess p = LiveProcess.find(name);
        if (p == null) {
            err.println("ipc tail: no live process named " + name + " (ipc list shows them)");
            return 1;
        }
        if (!p.transport().equals("chronicle")) {
            err.println("ipc tail: " + name + " runs on the " + p.transport() + " transport, which keeps no frame once "
                + "read: tail follows chronicle processes only");
            return 1;
        }
        p.tail(out, keepGoing);
        return 0;
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
        to.println("  list                 the live processes of this user: name, pids, transport, frames each way,");
        to.println("                       backlog each way");
        to.println("  tail <name>          follow a live process's messages as they pass, until it ends");
        to.println("  dump <journal dir>   every message of a journal (MessageProcess.setJournal), one a line:");
        to.println("                       to-backend / to-frontend, then the message");
        return USAGE;
    }
}
