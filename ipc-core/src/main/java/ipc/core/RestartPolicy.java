package ipc.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link MessageProcess} does when its backend dies (a crash, a kill, a non-zero exit;
 * never a requested stop nor a backend that ends its loop by itself with exit code 0): end, as
 * without supervision ({@link #never()}), or start the backend again after a delay
 * ({@link #backoff}). Immutable.
 *
 * <pre>{@code
 * worker.setRestart(RestartPolicy.backoff(5, Duration.ofMillis(100), Duration.ofSeconds(2)));
 * }</pre>
 *
 * <p>A restarted backend is rebuilt from the state captured at {@code start()} and resumes at the
 * first message whose handler had not returned (native-notes/process.md, "Supervised restart").
 */
public final class RestartPolicy {
    private static final RestartPolicy NEVER = new RestartPolicy(0, Duration.ZERO, Duration.ZERO);

    private final int maxRestarts;
    private final Duration first;
    private final Duration max;

    private RestartPolicy(int maxRestarts, Duration first, Duration max) {
        this.maxRestarts = maxRestarts;
        this.first = first;
        this.max = max;
    }

    /** No restart: a backend that dies ends the process (end of stream on the pipe). The default. */
    public static RestartPolicy never() {
        return NEVER;
    }

    /**
     * Up to {@code maxRestarts} restarts over the process's life; the first after {@code first},
     * each next one after twice the previous delay, at most {@code max}.
     *
     * @throws IllegalArgumentException when {@code maxRestarts} is negative, a delay is negative,
     *         or {@code max} is shorter than {@code first}
     */
    public static RestartPolicy backoff(int maxRestarts, Duration first, Duration max) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts must be >= 0: maxRestarts=" + maxRestarts);
        }
        if (first.isNegative()) {
            throw new IllegalArgumentException("first delay must be >= 0: first=" + first);
        }
        if (max.compareTo(first) < 0) {
            throw new IllegalArgumentException("max delay must be >= the first: first=" + first + " max=" + max);
        }
        return maxRestarts == 0 ? NEVER : new RestartPolicy(maxRestarts, first, max);
    }

    /** How many restarts the policy allows in all (0: never). */
    int maxRestarts() {
        return maxRestarts;
    }

    /** The delay before restart number {@code attempt} (1 for the first). */
    Duration delayBefore(int attempt) {
        Duration d = first;
        for (int i = 1; i < attempt && d.compareTo(max) < 0; i++) {
            d = d.isZero() ? d : d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    @Override
    public String toString() {
        return maxRestarts == 0 ? "RestartPolicy.never()"
            : "RestartPolicy.backoff(" + maxRestarts + ", " + first + ", " + max + ")";
    }
}
