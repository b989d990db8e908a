package ipc.bench.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The round trips' latency by percentile as SVG, in the shape of HdrHistogram's percentile
 * distribution plot: x is {@code 1/(1-percentile)} on a log axis (labelled 0 %, 90 %, 99 %, ...),
 * so every "nine" gets the same width; y is the latency, also logarithmic because the series span
 * three decades (a spinning hand-off near 0.3 us, Python near 50 us). Library solid, baselines dashed.
 */
final class PercentilePlot {

    /** Plot area and margins in px: wide enough for six decades of percentiles at 1/20 decade per point. */
    private static final int WIDTH = 960;
    private static final int PLOT_HEIGHT = 460;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final int LEGEND_ROW = 20;
    /** Points per decade of 1/(1-p): smooth curves at ~120 points per series. */
    private static final int STEPS_PER_DECADE = 20;
    /** The right edge at most at 99.9999 %: a million samples, more than a short run keeps. */
    private static final int MAX_DECADES = 6;

    private PercentilePlot() {
    }

    /** The SVG document for every series that has a latency histogram, in the given order. */
    static String render(String title, List<Series> series) {
        List<Series> plotted = series.stream().filter(Series::hasLatency).toList();
        // Up to the largest series' whole decade: 100 k samples reach 99.999 %, where one sample is left.
        int decades = (int) Math.max(1, Math.min(MAX_DECADES, Math.floor(plotted.stream()
                .mapToDouble(s -> Math.log10(s.samples())).max().orElse(1))));
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        List<List<double[]>> curves = new ArrayList<>();
        for (Series s : plotted) {
            List<double[]> curve = curve(s, decades);
            for (double[] point : curve) {
                lowest = Math.min(lowest, point[1]);
                highest = Math.max(highest, point[1]);
            }
            curves.add(curve);
        }
        if (plotted.isEmpty()) {
            lowest = 0.1;
            highest = 10;
        }
        int yLow = (int) Math.floor(Math.log10(lowest));
        int yHigh = Math.max(yLow + 1, (int) Math.ceil(Math.log10(highest)));
        int legendRows = plotted.size();
        int height = TOP + PLOT_HEIGHT + BOTTOM + legendRows * LEGEND_ROW + 10;
        Axes axes = new Axes(decades, yLow, yHigh);

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"13\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        text(svg, WIDTH / 2.0, 28, "middle", 16, title);
        grid(svg, axes);
        for (int i = 0; i < plotted.size(); i++) {
            Catalog.Entry entry = Catalog.entry(plotted.get(i).key());
            String dash = entry.role() == Catalog.Role.BASELINE ? " stroke-dasharray=\"7,4\"" : "";
            svg.append("<polyline fill=\"none\" stroke=\"").append(entry.color()).append("\" stroke-width=\"2\"")
                    .append(dash).append(" points=\"");
            for (double[] point : curves.get(i)) {
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", axes.x(point[0]), axes.y(point[1])));
            }
            svg.append("\"/>\n");
            double y = TOP + PLOT_HEIGHT + BOTTOM + i * LEGEND_ROW + 4;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/>%n", LEFT, y - 4, LEFT + 36, y - 4, entry.color(), dash));
            text(svg, LEFT + 44, y, "start", 13, entry.label() + "  (p50 " + Units.threeDigits(plotted.get(i)
                    .percentileNanos(50) / 1_000.0) + " us, " + plotted.get(i).samples() + " samples)");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** [decades of 1/(1-p), latency in us] from p = 0 to the last percentile that still has a sample. */
    private static List<double[]> curve(Series s, int decades) {
        List<double[]> points = new ArrayList<>();
        double lastDecade = Math.min(decades, Math.log10(s.samples()));
        for (int step = 0; step <= decades * STEPS_PER_DECADE; step++) {
            double decade = Math.min((double) step / STEPS_PER_DECADE, lastDecade);
            double percentile = 100.0 * (1 - Math.pow(10, -decade));
            points.add(new double[] {decade, s.percentileNanos(percentile) / 1_000.0});
            if (decade >= lastDecade) {
                break;
            }
        }
        return points;
    }

    private static void grid(StringBuilder svg, Axes axes) {
        double bottom = TOP + PLOT_HEIGHT;
        for (int d = 0; d <= axes.decades; d++) {
            double x = axes.x(d);
            line(svg, x, TOP, x, bottom, "#dddddd");
            text(svg, x, bottom + 18, "middle", 12, percentLabel(d));
        }
        for (int e = axes.yLow; e <= axes.yHigh; e++) {
            for (int mantissa : new int[] {1, 2, 5}) {
                double value = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(e).doubleValue();
                if (e == axes.yHigh && mantissa > 1) {
                    break;
                }
                double y = axes.y(value);
                line(svg, LEFT, y, WIDTH - RIGHT, y, mantissa == 1 ? "#cccccc" : "#eeeeee");
                text(svg, LEFT - 6, y + 4, "end", 12, tickLabel(mantissa, e));
            }
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#333333\"/>%n", LEFT, TOP, WIDTH - LEFT - RIGHT, PLOT_HEIGHT));
        text(svg, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, bottom + 40, "middle", 13,
                "percentile (x axis: 1/(1-percentile), log scale)");
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
                + "transform=\"rotate(-90 18 %.1f)\">round-trip latency, us (log scale)</text>%n",
                TOP + PLOT_HEIGHT / 2.0, TOP + PLOT_HEIGHT / 2.0));
    }

    /** mantissa x 10^exponent us as "0.5", "20", "2 ms", "1 s": the axis is in us, long tails read better in ms and s. */
    static String tickLabel(int mantissa, int exponent) {
        BigDecimal micros = BigDecimal.valueOf(mantissa).scaleByPowerOfTen(exponent);
        if (exponent >= 6) {
            return micros.scaleByPowerOfTen(-6).stripTrailingZeros().toPlainString() + " s";
        }
        if (exponent >= 3) {
            return micros.scaleByPowerOfTen(-3).stripTrailingZeros().toPlainString() + " ms";
        }
        return micros.stripTrailingZeros().toPlainString();
    }

    /** 0 -> "0%", 1 -> "90%", 2 -> "99%", 3 -> "99.9%", ... */
    static String percentLabel(int decade) {
        return switch (decade) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(decade - 2) + "%";
        };
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String color) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, color));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String content) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, escape(content)));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Data to pixels: x in decades of 1/(1-p), y in us, both logarithmic in effect. */
    private record Axes(int decades, int yLow, int yHigh) {
        double x(double decade) {
            return LEFT + decade / Math.max(1, decades) * (WIDTH - LEFT - RIGHT);
        }

        double y(double micros) {
            double fraction = (Math.log10(micros) - yLow) / (yHigh - yLow);
            return TOP + PLOT_HEIGHT - fraction * PLOT_HEIGHT;
        }
    }
}
