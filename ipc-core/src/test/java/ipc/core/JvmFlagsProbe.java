package ipc.core;

/**
 * Run in a child JVM by {@link JvmFlagsTest}: prints {@code missing=<flags>}, then tries to
 * create a channel and prints {@code error=<class>: <message>} or {@code created}.
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
    }
}
