package ipc.core;

import org.slf4j.event.Level;

import java.util.Locale;

/**
 * What {@link MessageProcess#formatLogger(Level)} does: slf4j-api has no configuration API, so
 * this sets slf4j-simple's system properties (read once, when slf4j-simple initialises) for a
 * seed-like line {@code LEVEL ClassName.name - message} at the given level. The properties are
 * harmless with any other binding, which keeps its own configuration. BackendLauncher forwards
 * {@value #PREFIX}* properties, so backends print the same way.
 */
final class LogFormat {
    static final String PREFIX = "org.slf4j.simpleLogger.";

    private LogFormat() {
    }

    static void apply(Level level) {
        System.setProperty(PREFIX + "defaultLogLevel", level.name().toLowerCase(Locale.ROOT));
        System.setProperty(PREFIX + "showThreadName", "false");
        System.setProperty(PREFIX + "showLogName", "true");
        System.setProperty(PREFIX + "showShortLogName", "false");
        System.setProperty(PREFIX + "levelInBrackets", "false");
        System.setProperty(PREFIX + "logFile", "System.out");
    }
}
