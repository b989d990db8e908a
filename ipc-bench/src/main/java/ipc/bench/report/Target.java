package ipc.bench.report;

/**
 * One row of design.md's targets table: a figure of a library series, optionally the same kind of
 * figure of a baseline from the same run, and the goal between them.
 *
 * @param what     the row as design.md names it
 * @param goal     the target as design.md states it
 * @param figure   the library's series key and the stat read from it
 * @param baseline the baseline's series key and stat, or null
 * @param check    what the figure must satisfy
 */
public record Target(String what, String goal, Figure figure, Figure baseline, Goal check) {

    /** A stat of the series named {@code series} (a {@link Series#key()}). */
    public record Figure(String series, Stat stat) {
    }

    /** How the run fared against this target. */
    public enum Verdict { MET, MISSED, NOT_MEASURED }
}
