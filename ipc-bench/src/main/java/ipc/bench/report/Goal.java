package ipc.bench.report;

/**
 * What a target asks of its figure. {@link #shortfall} says how far from it a run is, relative:
 * 0 or less is met, 0.12 is "missed by 12 %".
 */
public sealed interface Goal {

    /** Relative shortfall of {@code figure} (and {@code baseline}, NaN when the goal has none). */
    double shortfall(double figure, double baseline);

    boolean needsBaseline();

    /** figure <= limit (in the figure's unit). A limit of 0 is met only by 0 (e.g. 0 B/op). */
    record AtMost(double limit) implements Goal {
        public double shortfall(double figure, double baseline) {
            if (limit == 0) {
                return figure <= 0 ? 0 : Double.POSITIVE_INFINITY;
            }
            return figure / limit - 1;
        }

        public boolean needsBaseline() {
            return false;
        }
    }

    /** figure >= limit. */
    record AtLeast(double limit) implements Goal {
        public double shortfall(double figure, double baseline) {
            return limit / figure - 1;
        }

        public boolean needsBaseline() {
            return false;
        }
    }

    /** figure / baseline <= ratio (the library within ratio x of its baseline). */
    record RatioAtMost(double ratio) implements Goal {
        public double shortfall(double figure, double baseline) {
            return figure / baseline / ratio - 1;
        }

        public boolean needsBaseline() {
            return true;
        }
    }

    /** figure / baseline >= ratio (a throughput at least ratio x its baseline's). */
    record RatioAtLeast(double ratio) implements Goal {
        public double shortfall(double figure, double baseline) {
            return ratio / (figure / baseline) - 1;
        }

        public boolean needsBaseline() {
            return true;
        }
    }

    /** baseline / figure >= factor (the library factor x faster than its baseline). */
    record SpeedupAtLeast(double factor) implements Goal {
        public double shortfall(double figure, double baseline) {
            return factor / (baseline / figure) - 1;
        }

        public boolean needsBaseline() {
            return true;
        }
    }
}
