package ipc.core;

import net.openhft.chronicle.core.io.AbstractCloseable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a Chronicle queue, tailer, appender or mapped file of this JVM
 * open after it: Chronicle's closeable tracing ({@link AbstractCloseable#enableCloseableTracing()})
 * records every closeable created from the class's start, and
 * {@link AbstractCloseable#assertCloseablesClosed()} at its end throws an AssertionError listing
 * the ones still open (with where each was created when {@code -Djvm.resource.tracing=true}).
 * Registered for every ipc-core test class by JUnit's extension auto-detection
 * (junit-platform.properties, META-INF/services).
 *
 * <p>Why: a closeable nobody closed is closed by Chronicle's finalizer, at some later GC, with a
 * warning on stderr; before this check, such a leak showed up only as that warning, sometimes.
 */
public final class ChronicleCloseablesCheck implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        AbstractCloseable.enableCloseableTracing();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            AbstractCloseable.assertCloseablesClosed();
        } finally {
            AbstractCloseable.disableCloseableTracing();
        }
    }
}
