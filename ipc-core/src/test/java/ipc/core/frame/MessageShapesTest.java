package ipc.core.frame;

import ipc.core.MessageObject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A reader with a shape cache decodes every frame to the same MessageObject as one without, and
 * gives the messages of one shape the same command and key Strings.
 */
class MessageShapesTest {
    private static final MessageAccess M = MessageAccess.messages();

    private final FrameReader cached = new FrameReader(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, new MessageShapes());

    private MessageObject decode(MessageObject message) {
        return cached.wrap(MemorySegment.ofArray(FrameCodec.encode(message))).toMessageObject();
    }

    @Test
    void messagesOfOneShapeShareCommandAndKeys() {
        MessageObject first = decode(new MessageObject("tick", "seq", 1L << 40, "px", 1.5));
        MessageObject second = decode(new MessageObject("tick", "seq", (1L << 40) + 1, "px", 2.5));
        assertEquals(new MessageObject("tick", "seq", (1L << 40) + 1, "px", 2.5), second);
        assertSame(first.command(), second.command());
        assertSame(M.key(first, 0), M.key(second, 0));
        assertSame(M.key(first, 1), M.key(second, 1));
    }

    @Test
    void anyDifferenceInCommandKeysOrTypesIsAnotherShape() {
        MessageObject[] messages = {
            new MessageObject("tick", "seq", 1L),
            new MessageObject("tick", "seq", 1),            // another type
            new MessageObject("tick", "seq", null),
            new MessageObject("tock", "seq", 1L),           // another command
            new MessageObject("tick", "sex", 1L),           // another key
            new MessageObject("tick", "seq", 1L, "b", 2),   // another field count
            new MessageObject("tick"),
            new MessageObject("t\u00e9ck", "s\u20acq", "v\ud83d\ude00"),  // 2- and 3-byte characters
            new MessageObject("tick", "seq", List.of(1, "x")),
            new MessageObject("tick", "seq", Thread.State.NEW),
        };
        for (int round = 0; round < 3; round++) {
            for (MessageObject m : messages) {
                MessageObject decoded = decode(m);
                assertEquals(m, decoded, "round " + round);
                assertEquals(m.toString(), decoded.toString());
                assertEquals(FrameCodec.decode(FrameCodec.encode(m)), decoded);
            }
        }
    }

    @Test
    void anEnumThatDecodesToItsNameGetsTheTagsOfAString() {
        byte[] frame = FrameCodec.encode(new MessageObject("e", "side", Thread.State.NEW));
        // Rename the enum class in place (same length), so the reader cannot resolve it.
        String frameText = new String(frame, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = frameText.indexOf("java.lang.Thread$State");
        byte[] unknown = "java.lang.Thread$Stata".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(unknown, 0, frame, at, unknown.length);
        for (int round = 0; round < 2; round++) {
            MessageObject decoded = cached.wrap(MemorySegment.ofArray(frame)).toMessageObject();
            assertEquals("NEW", decoded.getString("side"));
            assertEquals(FrameDescriptor.TYPE_STRING, M.tag(decoded, 0));
            // and it re-encodes as the String it now is
            assertEquals(decoded, FrameCodec.decode(FrameCodec.encode(decoded)));
        }
    }

    @Test
    void shapesThatShareAHomeSlotAreBothKept() {
        MessageObject a = null;
        MessageObject b = null;
        // Find two shapes with one home slot among small variations of a key.
        int homeOfA = -1;
        String keyA = "k0";
        for (int i = 0; i < 10_000 && b == null; i++) {
            String key = "k" + i;
            MessageObject m = new MessageObject("cmd", key, 1);
            int home = home(m);
            if (i == 0) {
                homeOfA = home;
                a = m;
            } else if (home == homeOfA) {
                b = m;
            }
        }
        assertNotSame(null, b, "no second shape with the same home slot found");
        MessageObject firstA = decode(a);
        MessageObject firstB = decode(b);
        for (int round = 0; round < 3; round++) {
            assertSame(M.key(firstA, 0), M.key(decode(a), 0), "evicted: " + keyA);
            assertSame(M.key(firstB, 0), M.key(decode(b), 0), "evicted");
        }
    }

    private static int home(MessageObject m) {
        int hash = new FrameReader().wrap(MemorySegment.ofArray(FrameCodec.encode(m))).shapeHash();
        return (hash ^ (hash >>> 16)) & (MessageShapes.SLOTS - 1);
    }
}
