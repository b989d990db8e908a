package ipc.core.launch;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before the first use of Chronicle Queue, that the JVM was started with the flags in
 * {@value #ARGFILE}, and fails with an error that names the argfile and each missing flag
 * (instead of Chronicle's AssertionError deep inside its first file mapping).
 *
 * <p>Each flag and what fails without it: {@code native-notes/jvm-flags.md}. The checks ask the
 * running JVM, not the command line: {@link Module#isOpen}/{@link Module#isExported} against
 * this class's module (the library and Chronicle run on the class path, in unnamed modules,
 * which {@code ALL-UNNAMED} covers), {@link Module#isNativeAccessEnabled()}, and the system
 * property through which the launcher passes {@code --sun-misc-unsafe-memory-access}.
 */
public final class JvmFlags {
    /** The argfile, relative to the repository root (also inside the ipc-core jar as {@code ipc/core/jvm.options}). */
    public static final String ARGFILE = "ipc-core/jvm.options";

    /** Flags a JVM that uses ipc-core needs, in the argfile's order. */
    public static final List<String> REQUIRED = List.of(
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");

    private static final String UNSAFE_PROPERTY = "sun.misc.unsafe.memory.access";

    private static volatile boolean checked;

    private JvmFlags() {
    }

    /**
     * Returns when every flag of {@link #REQUIRED} is in effect (cheap after the first success).
     *
     * @throws IllegalStateException naming {@value #ARGFILE} and each missing flag
     */
    public static void check() {
        if (checked) {
            return;
        }
        List<String> missing = missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("JVM flags missing: " + String.join(" ", missing)
                + " - start java with @" + ARGFILE + " (java @" + ARGFILE + " ...; the same file is in the ipc-core"
                + " jar as ipc/core/jvm.options); why each flag is needed: native-notes/jvm-flags.md");
        }
        checked = true;
    }

    /** The flags of {@link #REQUIRED} that are not in effect in this JVM (empty when all are). */
    public static List<String> missing() {
        Module self = JvmFlags.class.getModule();
        Module base = Object.class.getModule();
        List<String> missing = new ArrayList<>();
        if (!self.isNativeAccessEnabled()) {
            missing.add(REQUIRED.get(0));
        }
        if (!"allow".equals(System.getProperty(UNSAFE_PROPERTY))) {
            missing.add(REQUIRED.get(1));
        }
        if (!base.isExported("jdk.internal.ref", self)) {
            missing.add(REQUIRED.get(2));
        }
        if (!base.isOpen("java.lang.reflect", self)) {
            missing.add(REQUIRED.get(3));
        }
        if (!base.isOpen("sun.nio.ch", self)) {
            missing.add(REQUIRED.get(4));
        }
        if (!base.isExported("jdk.internal.misc", self)) {
            missing.add(REQUIRED.get(5));
        }
        return missing;
    }
}
