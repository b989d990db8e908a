package ipc.core.fork;

import ipc.core.SharedMemory;

import ipc.sync.EventGroup;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of {@link ForkCodec}s that {@link ForkState} consults, in registration order,
 * before its generic rules. The extension point for library handles: a handle type that must
 * reach a backend (EventGroup, SharedMemory) adds one codec to
 * {@link #BUILT_IN}.
 */
public final class ForkCodecs {

    /** Duration (MessageProcess's {@code timeout}). */
    static final ForkCodec<Duration> DURATION = new ForkCodec<>() {
        @Override public Class<Duration> type() { return Duration.class; }
        @Override public String tag() { return "Duration"; }
        @Override public Object encode(Duration value) {
            return new long[] {value.getSeconds(), value.getNano()};
        }
        @Override public Duration decode(Object encoded) {
            long[] secondsAndNanos = (long[]) encoded;
            return Duration.ofSeconds(secondsAndNanos[0], secondsAndNanos[1]);
        }
    };

    /** Path of the default file system, by its string form (the backend shares the file system). */
    static final ForkCodec<Path> PATH = new ForkCodec<>() {
        @Override public Class<Path> type() { return Path.class; }
        @Override public String tag() { return "Path"; }
        @Override public Object encode(Path value) {
            if (value.getFileSystem() != FileSystems.getDefault()) {
                throw new IllegalArgumentException("only a path of the default file system can go to a"
                    + " backend: path=" + value + " fileSystem=" + value.getFileSystem());
            }
            return value.toString();
        }
        @Override public Path decode(Object encoded) {
            return Path.of((String) encoded);
        }
    };

    /**
     * EventGroup by {@link EventGroup#name()}; the backend maps the same group with
     * {@link EventGroup#open(String)} (closing that instance only unmaps; the frontend's creator
     * instance still owns the file).
     */
    static final ForkCodec<EventGroup> EVENT_GROUP = new ForkCodec<>() {
        @Override public Class<EventGroup> type() { return EventGroup.class; }
        @Override public String tag() { return "EventGroup"; }
        @Override public Object encode(EventGroup value) {
            if (value.isClosed()) {
                throw new IllegalStateException("a closed EventGroup cannot be opened in a backend: name="
                    + value.name());
            }
            return value.name();
        }
        @Override public EventGroup decode(Object encoded) {
            return EventGroup.open((String) encoded);
        }
    };

    /**
     * SharedMemory by {@link SharedMemory#name()}; the backend maps the same segment with
     * {@link SharedMemory#open(String)} (its close only unmaps; the frontend's creator instance
     * owns the file), so a constructor that created it does not run, or fail, a second time.
     */
    static final ForkCodec<SharedMemory> SHARED_MEMORY = new ForkCodec<>() {
        @Override public Class<SharedMemory> type() { return SharedMemory.class; }
        @Override public String tag() { return "SharedMemory"; }
        @Override public Object encode(SharedMemory value) {
            if (value.isClosed()) {
                throw new IllegalStateException("a closed SharedMemory cannot be opened in a backend: name="
                    + value.name());
            }
            return value.name();
        }
        @Override public SharedMemory decode(Object encoded) {
            return SharedMemory.open((String) encoded);
        }
    };

    /** The codecs every MessageProcess uses. */
    static final ForkCodecs BUILT_IN = new ForkCodecs(List.of(DURATION, PATH, EVENT_GROUP, SHARED_MEMORY));

    private final List<ForkCodec<?>> codecs;
    private final Map<String, ForkCodec<?>> byTag = new LinkedHashMap<>();

    ForkCodecs(List<ForkCodec<?>> codecs) {
        this.codecs = List.copyOf(codecs);
        for (ForkCodec<?> codec : this.codecs) {
            ForkCodec<?> previous = byTag.putIfAbsent(codec.tag(), codec);
            if (previous != null) {
                throw new IllegalArgumentException("two fork codecs share a tag: tag=" + codec.tag()
                    + " types=" + previous.type().getName() + "," + codec.type().getName());
            }
        }
    }

    /** The first codec whose type the value is an instance of, or null. */
    ForkCodec<?> forValue(Object value) {
        for (ForkCodec<?> codec : codecs) {
            if (codec.type().isInstance(value)) {
                return codec;
            }
        }
        return null;
    }

    /** The codec registered under tag, or null. */
    ForkCodec<?> forTag(String tag) {
        return byTag.get(tag);
    }

    /** True when a variable of the declared type can hold a value some codec decodes. */
    boolean canHold(Class<?> declared) {
        for (ForkCodec<?> codec : codecs) {
            if (declared.isAssignableFrom(codec.type())) {
                return true;
            }
        }
        return false;
    }

    /** The carried types, for error messages. */
    String describeTypes() {
        StringBuilder sb = new StringBuilder();
        for (ForkCodec<?> codec : codecs) {
            sb.append(sb.isEmpty() ? "" : ", ").append(codec.type().getSimpleName());
        }
        return sb.toString();
    }
}
