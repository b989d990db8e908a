package ipc.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ipc-core argfile ({@code ipc-core/jvm.options}): where it is and the flags in it.
 *
 * <p>The path comes from the system property {@value #PROPERTY}, which the Maven profile sets
 * for the report runner and the runner passes on to every JMH fork. JMH's
 * {@code jvmArgsAppend} takes single flags, not {@code @file}, so {@link #flags()} expands the
 * file: one flag per line, {@code #} starts a comment line (the argfile's own conventions as
 * ipc-core writes it; quoting is refused rather than half-supported).
 */
public final class JvmOptions {

    /** System property holding the argfile's absolute path. */
    public static final String PROPERTY = "ipc.jvm.options";

    private JvmOptions() {
    }

    /** The argfile; IllegalStateException naming the property when unset or missing. */
    public static Path argFile() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + PROPERTY
                    + " is not set: start this JVM with -D" + PROPERTY + "=<repo>/ipc-core/jvm.options");
        }
        Path file = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(PROPERTY + " names no file: " + PROPERTY + "=" + file);
        }
        return file;
    }

    /** The flags in {@link #argFile()}, plus {@code -Dipc.jvm.options=<file>} so forks can pass it on. */
    public static List<String> flags() {
        Path file = argFile();
        List<String> flags = new ArrayList<>();
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.contains("\"") || line.contains("'")) {
                    throw new IllegalStateException("quoted argfile lines are not supported: file="
                            + file + " line=" + line);
                }
                flags.addAll(List.of(line.split("\\s+")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        flags.add("-D" + PROPERTY + "=" + file);
        return flags;
    }
}
