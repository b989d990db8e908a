package ipc.core;

import org.slf4j.event.Level;

import java.util.Locale;

/**
 * What {@link MessageProcess#formatLogger(Level)} does: slf4j-api has no configuration API, so
 * this sets slf4j-simple's system properties (read once, when slf4j-simple creates its first
 * logger) for the line {@code LEVEL ClassName.name - message} on stdout at the given level:
 * no date, thread name or thread id, the full logger name, the level without brackets. That is
 * the seed's {@code name - LEVEL - message} in slf4j-simple's fixed order (date, thread, level,
 * name, message; no option reorders them). A user's own settings of these keys are replaced. The
 * properties are ignored by any other binding, which keeps its own configuration.
 * BackendLauncher forwards {@value #PREFIX}* properties, so backends print the same way.
 */
final class LogFormat {
    static final String PREFIX = "org.slf4j.simpleLogger.";

    private LogFormat() {
    }

    static void apply(Level level) {
        System.setProperty(PREFIX + "defaultLogLevel", level.name().toLowerCase(Locale.ROOT));
        System.setProperty(PREFIX + "showDateTime", "false");
        System.setProperty(PREFIX + "showThreadName", "false");
        System.setProperty(PREFIX + "showThreadId", "false");
        System.setProperty(PREFIX + "showLogName", "true");
        System.setProperty(PREFIX + "showShortLogName", "false");
        System.setProperty(PREFIX + "levelInBrackets", "false");
        System.setProperty(PREFIX + "logFile", "System.out");
    }
}
