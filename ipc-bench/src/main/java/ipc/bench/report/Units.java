package ipc.bench.report;

/** JMH's time unit names and the report's number formats. */
final class Units {

    private Units() {
    }

    /** Nanoseconds in one {@code unit} ("ns", "us", "ms", "s"), as JMH writes them in score units. */
    static double nanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            default -> throw new IllegalArgumentException("unknown time unit: unit=" + unit);
        };
    }

    /** How many {@code unit}s in a second. */
    static double perSecond(String unit) {
        return 1e9 / nanos(unit);
    }

    /** Three significant digits, never scientific: 0.321, 5.40, 54.1, 123, 12345. */
    static String threeDigits(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double magnitude = Math.abs(value);
        if (magnitude == 0) {
            return "0";
        }
        if (magnitude >= 100) {
            return String.format("%.0f", value);
        }
        if (magnitude >= 10) {
            return String.format("%.1f", value);
        }
        if (magnitude >= 1) {
            return String.format("%.2f", value);
        }
        return String.format("%.3f", value);
    }

    /** A ratio: "1.23x". */
    static String ratio(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format("%.2fx", value);
    }
}
