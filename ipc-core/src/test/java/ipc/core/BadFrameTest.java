package ipc.core;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each kind of bad frame gets its own {@link FrameException.Reason}; the reader is then unpositioned. */
class BadFrameTest {
    private static final MessageObject GOOD = new MessageObject("cmd", "a", 1, "l", List.of(1, "x"), "s", "str");

    private static FrameException.Reason reasonOf(byte[] frame) {
        return reasonOf(frame, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
    }

    private static FrameException.Reason reasonOf(byte[] frame, int maxFrameBytes) {
        FrameReader reader = new FrameReader(maxFrameBytes);
        FrameException e = assertThrows(FrameException.class, () -> reader.wrap(MemorySegment.ofArray(frame)));
        assertThrows(IllegalStateException.class, reader::fieldCount, "a reader left on a bad frame must refuse reads");
        assertTrue(e.getMessage().startsWith(e.reason() + ": "), e.getMessage());
        return e.reason();
    }

    private static ByteBuffer le(byte[] frame) {
        return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void goodFrameIsAccepted() {
        assertEquals(GOOD, FrameCodec.decode(FrameCodec.encode(GOOD)));
    }

    @Test
    void excerptShorterThanAHeaderIsTruncated() {
        assertEquals(FrameException.Reason.TRUNCATED, reasonOf(Arrays.copyOf(FrameCodec.encode(GOOD), 7)));
        assertEquals(FrameException.Reason.TRUNCATED, reasonOf(new byte[0]));
    }

    @Test
    void fieldRunningPastTheFrameIsTruncated() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "s", "hello"));
        // The string's length word is the last int before its 5 bytes: claim 6 bytes.
        le(frame).putInt(frame.length - 5 - 4, 6);
        assertEquals(FrameException.Reason.TRUNCATED, reasonOf(frame));
    }

    @Test
    void fieldCountPastTheFrameIsTruncated() {
        byte[] frame = FrameCodec.encode(GOOD);
        le(frame).putShort(FrameDescriptor.FIELD_COUNT_OFFSET, (short) 4);
        assertEquals(FrameException.Reason.TRUNCATED, reasonOf(frame));
    }

    @Test
    void cutFrameIsLengthPastExcerpt() {
        byte[] frame = FrameCodec.encode(GOOD);
        assertEquals(FrameException.Reason.LENGTH_PAST_EXCERPT, reasonOf(Arrays.copyOf(frame, frame.length - 1)));
    }

    @Test
    void badMagic() {
        byte[] frame = FrameCodec.encode(GOOD);
        frame[0] ^= 1;
        assertEquals(FrameException.Reason.BAD_MAGIC, reasonOf(frame));
    }

    @Test
    void badVersion() {
        byte[] frame = FrameCodec.encode(GOOD);
        frame[FrameDescriptor.VERSION_OFFSET] = 2;
        assertEquals(FrameException.Reason.BAD_VERSION, reasonOf(frame));
    }

    @Test
    void unknownTypeTag() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "a", 1));
        frame[frame.length - 5] = FrameDescriptor.TYPE_COUNT;
        assertEquals(FrameException.Reason.UNKNOWN_TYPE, reasonOf(frame));
    }

    @Test
    void unknownTypeTagInsideAList() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "l", List.of(1)));
        frame[frame.length - 5] = (byte) 0x7F;
        assertEquals(FrameException.Reason.UNKNOWN_TYPE, reasonOf(frame));
    }

    @Test
    void frameOverTheReadersLimitIsOversized() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "b", new byte[100]));
        assertEquals(FrameException.Reason.OVERSIZED, reasonOf(frame, 64));
    }

    @Test
    void frameLengthBelowTheHeaderIsBadLength() {
        byte[] frame = FrameCodec.encode(GOOD);
        le(frame).putInt(FrameDescriptor.FRAME_LENGTH_OFFSET, 3);
        assertEquals(FrameException.Reason.BAD_LENGTH, reasonOf(frame));
    }

    @Test
    void bytesLeftAfterTheLastFieldAreBadLength() {
        byte[] frame = Arrays.copyOf(FrameCodec.encode(GOOD), FrameCodec.encode(GOOD).length + 3);
        le(frame).putInt(FrameDescriptor.FRAME_LENGTH_OFFSET, frame.length);
        assertEquals(FrameException.Reason.BAD_LENGTH, reasonOf(frame));
    }

    @Test
    void excerptLongerThanItsFrameIsBadLength() {
        byte[] frame = FrameCodec.encode(GOOD);
        assertEquals(FrameException.Reason.BAD_LENGTH, reasonOf(Arrays.copyOf(frame, frame.length + 1)));
    }

    @Test
    void negativeValueLengthIsBadLength() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "s", "hello"));
        le(frame).putInt(frame.length - 5 - 4, -1);
        assertEquals(FrameException.Reason.BAD_LENGTH, reasonOf(frame));
    }

    @Test
    void booleanOtherThanZeroOrOneIsBadValue() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "z", true));
        frame[frame.length - 1] = 2;
        assertEquals(FrameException.Reason.BAD_VALUE, reasonOf(frame));
    }

    @Test
    void nestingBeyondTheLimitIsTooDeep() {
        Object v = 1;
        for (int i = 0; i < MessageObject.MAX_NESTING_DEPTH; i++) {
            v = List.of(v);
        }
        MessageObject deepest = new MessageObject("c", "v", v);
        byte[] legal = nestedListsFrame(MessageObject.MAX_NESTING_DEPTH);
        assertEquals(Arrays.toString(FrameCodec.encode(deepest)), Arrays.toString(legal), "hand-built frame");
        assertEquals(deepest, FrameCodec.decode(legal));
        assertThrows(IllegalArgumentException.class, () -> new MessageObject("c", "v", List.of(deepest.get("v"))));
        assertEquals(FrameException.Reason.TOO_DEEP, reasonOf(nestedListsFrame(MessageObject.MAX_NESTING_DEPTH + 1)));
    }

    /** A frame "c" with one field "v": {@code lists} single-element lists nested around the int 1. */
    private static byte[] nestedListsFrame(int lists) {
        int valueBytes = 1 + 4 + lists * (1 + 4 + 4);
        int length = FrameDescriptor.HEADER_LENGTH + 1 + 2 + 1 + valueBytes;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(FrameDescriptor.MAGIC).put(FrameDescriptor.VERSION).put((byte) 0).putInt(length)
            .putShort((short) 1).putShort((short) 1).put((byte) 'c').putShort((short) 1).put((byte) 'v');
        for (int i = lists; i > 0; i--) {
            b.put(FrameDescriptor.TYPE_LIST).putInt(4 + 1 + 4 + (i - 1) * 9).putInt(1);
        }
        b.put(FrameDescriptor.TYPE_INT).putInt(1);
        return b.array();
    }

    @Test
    void containerBodyLengthDisagreeingWithElementsIsBadLength() {
        byte[] frame = FrameCodec.encode(new MessageObject("cmd", "l", List.of(1, 2), "after", 7));
        // Lie about the element count: one element fewer than the body holds.
        int countAt = indexOfListCount(frame);
        le(frame).putInt(countAt, 1);
        assertEquals(FrameException.Reason.BAD_LENGTH, reasonOf(frame));
    }

    private static int indexOfListCount(byte[] frame) {
        // header(12) + "cmd"(3) + key length(2) + "l"(1) + tag(1) + body length(4)
        return FrameDescriptor.HEADER_LENGTH + 3 + 2 + 1 + 1 + 4;
    }

    @Test
    void readerRecoversOnTheNextGoodFrame() {
        FrameReader reader = new FrameReader();
        byte[] bad = FrameCodec.encode(GOOD);
        bad[0] = 0;
        assertThrows(FrameException.class, () -> reader.wrap(MemorySegment.ofArray(bad)));
        assertEquals(GOOD, reader.wrap(MemorySegment.ofArray(FrameCodec.encode(GOOD))).toMessageObject());
    }
}
