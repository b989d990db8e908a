/**
 * The comparison report: runs the short suite ({@link ipc.bench.report.ReportMain}), reads JMH's JSON
 * result, and writes {@code results/REPORT.md} with the percentile plot {@code results/latency.svg}.
 *
 * <p>Data-driven: {@link ipc.bench.report.Catalog} names every series the report knows (one line per
 * benchmark), {@link ipc.bench.report.Targets} holds design.md's targets (one line per row). A
 * benchmark that is not in a run shows as "not measured" instead of breaking the report.
 */
package ipc.bench.report;
