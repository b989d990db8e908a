package ipc.core.frame;

import ipc.core.channel.chronicle.BytesFrameSink;
import ipc.core.MessageObject;
import ipc.core.remote.RemoteAnswers;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A frame built field by field (typed calls, their answers, frontend__ messages) is byte for
 * byte the frame of the equal MessageObject, for every value type, through the segment sink and
 * through Chronicle's Bytes; the builder is reused shape after shape without leftovers.
 */
class FrameBuilderTest {

    private static byte[] built(FrameBuilder b) {
        int length = b.frameLength(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, null);
        byte[] out = new byte[length];
        SegmentFrameSink sink = new SegmentFrameSink().wrap(MemorySegment.ofArray(out), 0);
        b.encode(length, sink, null);
        assertEquals(length, sink.position(), "encoded the computed length");
        return out;
    }

    @Test
    void primitivesAndReferencesEncodeAsTheirMessageObject() {
        FrameShape shape = FrameShape.of("__c:all(ZBSCIJFD)", "id", "z", "b", "s", "c", "i", "l", "f", "d", "str", "n",
            "list", "map", "e", "box");
        FrameBuilder b = new FrameBuilder(2).reset(shape); // grows past its first capacity
        b.putLong(0, 42L);
        b.putBoolean(1, true);
        b.putByte(2, (byte) -3);
        b.putShort(3, (short) -30000);
        b.putChar(4, '\u20ac');
        b.putInt(5, Integer.MIN_VALUE);
        b.putLong(6, Long.MAX_VALUE);
        b.putFloat(7, -1.25f);
        b.putDouble(8, Double.NaN);
        b.putReference(9, "gr\u00fc\u00df \ud83d\ude00");
        b.putReference(10, null);
        b.putReference(11, List.of(1, "x", List.of(2L)));
        b.putReference(12, Map.of("k", new int[] {1, 2}));
        b.putReference(13, ValueType.LONG);
        b.putReference(14, 7.5); // a box is encoded as the primitive it holds
        MessageObject same = new MessageObject("__c:all(ZBSCIJFD)", "id", 42L, "z", true, "b", (byte) -3,
            "s", (short) -30000, "c", '\u20ac', "i", Integer.MIN_VALUE, "l", Long.MAX_VALUE, "f", -1.25f,
            "d", Double.NaN, "str", "gr\u00fc\u00df \ud83d\ude00", "n", null, "list", List.of(1, "x", List.of(2L)),
            "map", Map.of("k", new int[] {1, 2}), "e", ValueType.LONG, "box", 7.5);
        assertArrayEquals(FrameCodec.encode(same), built(b));
        b.clearReferences();

        // the same builder, another shape, then the first again: nothing of the last frame remains
        b.reset(RemoteAnswers.RETURN).putLong(0, 9);
        b.putInt(1, 5);
        assertArrayEquals(FrameCodec.encode(new MessageObject("__ret__", "id", 9L, "v", 5)), built(b));
        b.reset(shape).putLong(0, 1);
        for (int i = 1; i < shape.fieldCount(); i++) {
            b.putReference(i, null);
        }
        MessageObject decoded = FrameCodec.decode(built(b));
        assertEquals(shape.fieldCount(), decoded.kwargs().size());
        assertTrue(decoded.kwargs().values().stream().skip(1).allMatch(v -> v == null));
    }

    @Test
    void throughChronicleBytesTheSameBytes() {
        FrameBuilder b = new FrameBuilder(3).reset(FrameShape.of("onFill", "instrument", "qty", "px"));
        b.putLong(0, 42);
        b.putInt(1, 7);
        b.putDouble(2, 101.5);
        byte[] viaSegment = built(b);
        net.openhft.chronicle.bytes.Bytes<?> bytes = net.openhft.chronicle.bytes.Bytes.allocateElasticDirect(16);
        try {
            BytesFrameSink sink = new BytesFrameSink().wrap(bytes);
            b.encode(viaSegment.length, sink, null);
            byte[] viaBytes = new byte[viaSegment.length];
            bytes.read(0, viaBytes, 0, viaBytes.length);
            assertArrayEquals(viaSegment, viaBytes);
            assertEquals(new MessageObject("onFill", "instrument", 42L, "qty", 7, "px", 101.5),
                FrameCodec.decode(viaBytes));
        } finally {
            bytes.releaseLast();
        }
    }

    @Test
    void stringBytesAreTheCommandAsAFrameHoldsIt() {
        for (String command : java.util.List.of("tick", "gr\u00fc\u00df", "\u20ac\ud83d\ude00", "\udc00lone")) {
            byte[] frame = FrameCodec.encode(new MessageObject(command));
            byte[] bytes = FrameCodec.stringBytes(command);
            assertArrayEquals(java.util.Arrays.copyOfRange(frame, FrameDescriptor.HEADER_LENGTH, frame.length), bytes);
            assertEquals(command, FrameCodec.decode(frame).command());
            assertTrue(new FrameReader().wrap(MemorySegment.ofArray(frame)).commandEquals(bytes));
        }
    }

    @Test
    void refusesWhatAMessageObjectRefuses() {
        FrameBuilder b = new FrameBuilder(1).reset(FrameShape.of("cmd", "k"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.putReference(0, new Object()));
        assertTrue(e.getMessage().contains("key=k") && e.getMessage().contains("java.lang.Object"), e.getMessage());
        b.putReference(0, new byte[100]);
        FrameException oversized = assertThrows(FrameException.class, () -> b.frameLength(64, null));
        assertTrue(oversized.getMessage().contains("maxFrameBytes=64"), oversized.getMessage());
    }
}
