package ipc.bench.report;

import java.util.Map;

/**
 * One target judged against one run's series.
 *
 * @param figure   the figure's value (NaN when its series is missing)
 * @param baseline the baseline's value (NaN without one)
 * @param verdict  met, missed, or not measured
 * @param note     "missed by 12 %", or why it was not measured
 */
record Judgement(Target target, double figure, double baseline, Target.Verdict verdict, String note) {

    static Judgement of(Target target, Map<String, Series> run) {
        Series figureSeries = run.get(target.figure().series());
        Series baselineSeries = target.baseline() == null ? null : run.get(target.baseline().series());
        double figure = target.figure().stat().of(figureSeries);
        double baseline = target.baseline() == null ? Double.NaN : target.baseline().stat().of(baselineSeries);
        if (Double.isNaN(figure)) {
            return new Judgement(target, figure, baseline, Target.Verdict.NOT_MEASURED, absence(target.figure().series(), figureSeries));
        }
        if (target.check().needsBaseline() && Double.isNaN(baseline)) {
            return new Judgement(target, figure, baseline, Target.Verdict.NOT_MEASURED,
                    "baseline " + absence(target.baseline().series(), baselineSeries));
        }
        double shortfall = target.check().shortfall(figure, baseline);
        if (shortfall <= 0) {
            return new Judgement(target, figure, baseline, Target.Verdict.MET, "met");
        }
        String by = Double.isInfinite(shortfall) ? "" : String.format(" by %.0f %%", shortfall * 100);
        return new Judgement(target, figure, baseline, Target.Verdict.MISSED, "missed" + by);
    }

    /** figure / baseline, NaN without a baseline. */
    double ratio() {
        return figure / baseline;
    }

    private static String absence(String key, Series series) {
        if (series != null && series.skipped() != null) {
            return "skipped: " + series.skipped();
        }
        if (series != null) {
            return "has no such figure in this run";
        }
        return "not measured in this run (no " + key + ")";
    }
}
