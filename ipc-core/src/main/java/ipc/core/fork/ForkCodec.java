package ipc.core.fork;

/**
 * Carries one type of field value to a backend when the generic rules of {@link StateTree} do not
 * fit: a library handle that the backend re-opens by name (an {@code EventGroup}, a
 * {@code SharedMemory}), or a small value type such as {@link java.time.Duration}.
 *
 * <p>{@link #encode} runs in the frontend at {@code start()}; {@link #decode} runs in the backend
 * before any user code. The encoded form must be a value a {@code MessageObject} can carry (a
 * String, a boxed primitive, one of the primitive arrays it carries, a List, a Map with String
 * keys).
 *
 * @param <T> the type this codec carries
 */
public interface ForkCodec<T> {

    /** The type this codec carries; a value is handled when it is an instance of it. */
    Class<T> type();

    /** A short, stable name written into the state tree; unique within one {@link ForkCodecs}. */
    String tag();

    /** The value in a form a {@code MessageObject} can carry. */
    Object encode(T value);

    /** Rebuilds (or re-opens) the value from what {@link #encode} returned. */
    T decode(Object encoded);
}
