package ipc.bench.ladder;

import ipc.bench.library.EchoProcess;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.MessageObject;

/**
 * The ladder's prebuilt echo messages: {@code MessageObject("echo", "seq", k)} for every k below
 * {@link #COUNT}, so that rungs below the top send the library's frame without building a
 * MessageObject per operation. Sequence numbers go round modulo {@link #COUNT}: a round trip sends
 * {@code message(seq)} and expects {@code seq & MASK} back.
 */
final class EchoFrames {

    /**
     * 1024: a power of two, so the slot is a mask; a lost or repeated echo shows as a mismatch
     * unless exactly a multiple of 1024 go missing; 1024 messages of ~100 B stay in L2.
     */
    static final int COUNT = 1024;
    static final int MASK = COUNT - 1;

    /** The channel's default limit, so the codec rung's reader checks what the channel's does. */
    static final int MAX_FRAME_BYTES = FrameDescriptor.DEFAULT_MAX_FRAME_BYTES;

    /** The sequence number is the frame's only field. */
    static final int SEQ_FIELD = 0;

    private static final MessageObject[] MESSAGES = new MessageObject[COUNT];

    static {
        for (int k = 0; k < COUNT; k++) {
            MESSAGES[k] = new MessageObject(EchoProcess.ECHO, EchoProcess.SEQ, (long) k);
        }
    }

    /** Every echo frame is this long: the command, the key and a long's 8 bytes never change length. */
    static final int FRAME_LENGTH = FrameCodec.frameLength(MESSAGES[0], MAX_FRAME_BYTES);

    private EchoFrames() {
    }

    /** The prebuilt message carrying {@code seq & MASK}. */
    static MessageObject message(long seq) {
        return MESSAGES[(int) (seq & MASK)];
    }

    /** The message an echo peer answers {@code value} with; refuses a value no ladder frontend sends. */
    static MessageObject echoOf(long value) {
        if (value < 0 || value > MASK) {
            throw new IllegalStateException("not a ladder sequence number: value=" + value + ", max=" + MASK);
        }
        return MESSAGES[(int) value];
    }
}
