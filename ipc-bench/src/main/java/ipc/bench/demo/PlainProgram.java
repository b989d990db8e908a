package ipc.bench.demo;

import ipc.core.MessageProcess;
import java.util.List;
import org.slf4j.event.Level;

/**
 * The demo's latency step in a plain program: one worker, nothing else started, no MainContext,
 * the same warm-up and the same summary ({@link LatencyStep}). What the demo's summary is compared
 * with (issue "Tail latency": within 1.5x of this); run it like the demo:
 * {@code mvn -B -q -Pdemo -Dipc.demo.main=ipc.bench.demo.PlainProgram -pl ipc-bench -am verify -DskipTests}.
 */
public final class PlainProgram {

    private PlainProgram() {
    }

    public static void main(String[] args) {
        MessageProcess.formatLogger(Level.WARN); // as the demo
        try (DemoWorker worker = new DemoWorker(0, null, null)) {
            worker.start();
            LatencyStep.run(worker, List.of(worker), Demo.ROUND_TRIPS, Demo.WARM_UP_AT_MOST);
        }
    }
}
