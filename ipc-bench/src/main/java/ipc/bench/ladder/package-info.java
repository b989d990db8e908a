/**
 * The latency ladder: the same small round trip (a sequence number there and back between two
 * JVMs, JMH SampleTime) measured one layer at a time, so that the report shows which layer adds
 * which microseconds of the tail.
 *
 * <ol>
 *   <li>{@link ipc.bench.baseline.ChronicleQueuePingPong}: raw 8-byte Chronicle excerpts, busy spin;</li>
 *   <li>{@link ipc.bench.ladder.LadderFrameCodec}: + the frame codec, a MessageObject-shaped frame
 *       ({@code echo}, {@code seq}: long) written and read in place on the same excerpts;</li>
 *   <li>{@link ipc.bench.ladder.LadderChannel} {@code waiting=spin}: + ipc.core's Channel (its
 *       writer, reader, doorbell ring, owner-only files, cycle-file reaper), busy spin;</li>
 *   <li>{@link ipc.bench.ladder.LadderChannel} {@code waiting=doorbell}: + the channel's wait
 *       (spin, yield, park on the doorbell) on both sides;</li>
 *   <li>{@link ipc.bench.ladder.LadderDispatch}: + a MessageProcess backend (dispatch to
 *       {@code c__echo}, {@code send_out__}) and the Pipe's recv;</li>
 *   <li>{@link ipc.bench.library.MessageProcessRoundTrip}: + a new MessageObject per request, the
 *       user's whole path.</li>
 * </ol>
 *
 * <p>Rungs 2 to 5 send prebuilt messages ({@link ipc.bench.ladder.EchoFrames}), so that building a
 * MessageObject is what the top rung adds and nothing below it pays. The Pipe has no frame-level
 * read, so rungs 5 and 6 both decode the reply into a MessageObject.
 */
package ipc.bench.ladder;
