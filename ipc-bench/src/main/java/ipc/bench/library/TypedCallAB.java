package ipc.bench.library;

import ipc.core.MessageObject;
import ipc.core.Pipe;
import java.util.Arrays;

/**
 * Not a benchmark: the typed call and the MessageObject round trip interleaved call by call on
 * one backend, so that both see the same machine at the same moment (on this 2-core VM, runs a
 * minute apart differ by up to 2x). Prints each round's p50/p90/p99 of both:
 * {@code java @ipc-core/jvm.options -cp <ipc-bench class path> ipc.bench.library.TypedCallAB [round trips] [rounds]}.
 * The MessageObject side sends prebuilt messages, so what differs is the library's work alone.
 */
public final class TypedCallAB {
    private TypedCallAB() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        try (EchoProcess p = new EchoProcess("typed-ab")) {
            p.start();
            Adder adder = p.remote(Adder.class);
            Pipe pipe = p.getPipe();
            MessageObject[] messages = new MessageObject[EchoProcess.PREBUILT];
            for (int i = 0; i < messages.length; i++) {
                messages[i] = new MessageObject(EchoProcess.ECHO, EchoProcess.SEQ, (long) i);
            }
            long[] typed = new long[n];
            long[] message = new long[n];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < n; i++) {
                    long s = System.nanoTime();
                    adder.add(i, 1);
                    long e = System.nanoTime();
                    p.sendMessageToBack(messages[i & (EchoProcess.PREBUILT - 1)]);
                    pipe.recv();
                    long f = System.nanoTime();
                    typed[i] = e - s;
                    message[i] = f - e;
                }
                if (r > 0) { // the first round is the warm-up
                    System.out.println("round " + r + ": typed " + summary(typed) + " | message " + summary(message));
                }
            }
        }
    }

    private static String summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("p50 %.3f p90 %.3f p99 %.3f us", sorted[sorted.length / 2] / 1e3,
            sorted[sorted.length * 9 / 10] / 1e3, sorted[sorted.length * 99 / 100] / 1e3);
    }
}
