package ipc.core.frame;

import ipc.core.MessageObject;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The writer's cache of encoded commands and keys: what it caches, and that it never changes a frame. */
class StringBytesCacheTest {

    @Test
    void cachesAStringOnItsSecondUseAsTheSameObject() {
        StringBytesCache cache = new StringBytesCache();
        String key = "price";
        assertNull(cache.bytesOf(key), "first use: not worth an allocation yet");
        assertArrayEquals(FrameCodec.stringBytes(key), cache.bytesOf(key));
        assertArrayEquals(FrameCodec.stringBytes(key), cache.bytesOf(key));
    }

    @Test
    void equalStringsMadeAnewAndLongStringsAreNotCached() {
        StringBytesCache cache = new StringBytesCache();
        for (int i = 0; i < 3; i++) {
            assertNull(cache.bytesOf(new String("dynamic-key")), "a new String each time: never cached");
        }
        String tooLong = "k".repeat(StringBytesCache.MAX_CACHED_CHARS + 1);
        for (int i = 0; i < 3; i++) {
            assertNull(cache.bytesOf(tooLong));
        }
    }

    @Test
    void framesEncodedWithTheCacheAreByteForByteTheFramesWithout() {
        StringBytesCache cache = new StringBytesCache();
        String longKey = "k".repeat(100);
        MessageObject[] messages = {
            new MessageObject("tick", "seq", 1L, "qty", 2, "price", 3.5),
            new MessageObject("prix-\u20ac", "cl\u00e9", "valeur \u00e0 \ud83d\ude00", longKey, 7),
            new MessageObject("tick", "seq", 4L, "qty", 5, "price", 6.5),
            new MessageObject("tick", new String("seq"), 4L),
        };
        for (int round = 0; round < 3; round++) {
            for (MessageObject m : messages) {
                byte[] plain = FrameCodec.encode(m);
                int length = FrameCodec.frameLength(m, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, cache);
                assertEquals(plain.length, length, m.toString());
                byte[] cached = new byte[length];
                FrameCodec.encode(m, length, new SegmentFrameSink().wrap(MemorySegment.ofArray(cached), 0), cache);
                assertArrayEquals(plain, cached, "round " + round + ": " + m);
                assertEquals(m, FrameCodec.decode(cached));
            }
        }
    }

    @Test
    void twoStringsOfOneSlotThatAWriterAlternatesStayCached() {
        StringBytesCache cache = new StringBytesCache();
        String seq = "seq";
        String stats = "stats";
        assertEquals(seq.hashCode() & (StringBytesCache.SLOTS - 1), stats.hashCode() & (StringBytesCache.SLOTS - 1),
            "the pair must share a home slot for this test to mean anything");
        for (int i = 0; i < 2; i++) {
            cache.bytesOf(seq);
            cache.bytesOf(stats);
        }
        byte[] seqBytes = cache.bytesOf(seq);
        byte[] statsBytes = cache.bytesOf(stats);
        for (int i = 0; i < 3; i++) {
            assertSame(seqBytes, cache.bytesOf(seq), "evicted and encoded again");
            assertSame(statsBytes, cache.bytesOf(stats), "evicted and encoded again");
        }
    }
}
