package ipc.sync;

/**
 * {@link EventGroup#reserve()} found every event reserved (the seed's {@code NotEnoughEvents}).
 * Size the group for the most reservations that can be outstanding at once.
 */
public class NotEnoughEvents extends RuntimeException {
    public NotEnoughEvents(String message) {
        super(message);
    }
}
