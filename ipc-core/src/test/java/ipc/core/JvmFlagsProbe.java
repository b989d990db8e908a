package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.launch.JvmFlags;

/**
 * Run in a child JVM by {@code JvmFlagsTest}: prints {@code missing=<flags>}, then tries to
 * create a channel and prints {@code error=<class>: <message>} or {@code created}, then tries to
 * open one (a directory that does not exist) and prints {@code openError=<class>: <message>}.
 */
public final class JvmFlagsProbe {
    private JvmFlagsProbe() {
    }

    public static void main(String[] args) {
        System.out.println("missing=" + String.join(" ", JvmFlags.missing()));
        try (Channel channel = Channel.create()) {
            channel.writer().write(new MessageObject("probe"));
            System.out.println("created");
        } catch (Throwable t) {
            System.out.println("error=" + t.getClass().getName() + ": " + t.getMessage());
        }
        // The backend's entry point: it must check the flags before it looks at the directory.
        try (Channel channel = Channel.open(java.nio.file.Path.of("/nonexistent-channel-directory"))) {
            System.out.println("opened " + channel.directory());
        } catch (Throwable t) {
            System.out.println("openError=" + t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
