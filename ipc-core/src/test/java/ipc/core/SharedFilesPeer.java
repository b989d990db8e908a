package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelOptions;
import ipc.core.frame.FrameHandler;
import ipc.core.channel.SelectBell;

import ipc.sync.EventGroup;
import ipc.sync.SharedEvent;
import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run in a child JVM (its {@code ipc.dir} given by the test) by {@link SharedFilesSecurityTest}
 * and {@link UnwritableDirectoryTest}. Appends {@code key=value} lines to {@code args[1]}.
 * <ul>
 *   <li>{@code use <result>}: creates and uses one of every kind of shared file (two channels, one
 *       both ways and across a roll; a select bell; an event group; a shared mapping), then reports
 *       its {@code umask} (from /proc/self/status) and {@code sockets=[...]}, the {@code socket:}
 *       links among its own file descriptors, writes {@code ready=true} and sleeps until killed
 *       (the test inspects the files meanwhile).</li>
 *   <li>{@code create <result>}: tries to create a channel, an event group and a select bell under
 *       the root and reports {@code <what>=<exception>} for each; exits 0.</li>
 * </ul>
 */
public final class SharedFilesPeer {
    private SharedFilesPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path result = Path.of(args[1]);
        switch (args[0]) {
            case "use" -> use(result);
            case "create" -> create(result);
            default -> throw new IllegalArgumentException("mode=" + args[0]);
        }
        System.exit(0);
    }

    private static void use(Path result) throws Exception {
        Path root = ShmDirectory.root();
        SelectBell bell = SelectBell.create();
        Channel front = Channel.create(ChannelOptions.defaults().withB2fBell(bell));
        Channel back = Channel.open(front.directory());
        Channel plain = Channel.create();
        EventGroup group = new EventGroup(4);
        SharedMapping mapping = SharedMapping.create(root.resolve(ShmDirectory.uniqueName("map")), 4096);
        FrameHandler ignore = frame -> { };
        front.writer().write(new MessageObject("f2b", "n", 1));
        back.writer().write(new MessageObject("b2f", "n", 1));
        plain.writer().write(new MessageObject("f2b", "n", 1));
        Thread.sleep(1100); // into the next roll cycle: each queue gets a second cycle file
        front.writer().write(new MessageObject("f2b", "n", 2));
        back.writer().write(new MessageObject("b2f", "n", 2));
        back.reader().poll(ignore, Duration.ofSeconds(5));
        front.reader().poll(ignore, Duration.ofSeconds(5));
        SharedEvent event = group.reserve();
        group.set(event.index());
        event.await(Duration.ofSeconds(5));

        report(result, "umask", umask());
        report(result, "sockets", sockets().toString());
        report(result, "ready", "true");
        Thread.sleep(60_000); // killed by the test well before; everything stays open meanwhile
        System.exit(5);
    }

    private static String umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return line.substring("Umask:".length()).trim();
            }
        }
        return "unknown";
    }

    /** The targets of this process's file descriptors that are sockets. */
    static List<String> sockets() throws IOException {
        List<String> sockets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        sockets.add(fd.getFileName() + " -> " + target);
                    }
                } catch (IOException closedMeanwhile) {
                    // the directory stream's own fd, or one closed while listing
                }
            }
        }
        return sockets;
    }

    private static void create(Path result) throws IOException {
        try (Channel c = Channel.create()) {
            report(result, "channel", "created " + c.directory());
        } catch (RuntimeException e) {
            report(result, "channel", e.toString());
        }
        try (EventGroup g = new EventGroup(4)) {
            report(result, "eventGroup", "created " + g.name());
        } catch (RuntimeException e) {
            report(result, "eventGroup", e.toString());
        }
        try (SelectBell b = SelectBell.create()) {
            report(result, "selectBell", "created " + b.path());
        } catch (RuntimeException e) {
            report(result, "selectBell", e.toString());
        }
    }

    static void report(Path result, String key, String value) throws IOException {
        Files.writeString(result, key + "=" + value.replace('\n', ' ') + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    }
}
