package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main source of any module uses Java serialization: no object streams, no serialization hooks,
 * no class that declares itself Serializable or Externalizable, no XML bean coding. Comments and
 * string literals are stripped first, so prose about serialization does not count and the check
 * stays precise. (Throwables are Serializable by inheritance; that alone reads nothing.) The
 * runtime side, that no JVM using the library loads ObjectInputStream, is in
 * {@link SharedFilesSecurityTest}.
 */
class NoJavaSerializationTest {
    static final Pattern FORBIDDEN = Pattern.compile("\\b(ObjectInputStream|ObjectOutputStream|ObjectInput|ObjectOutput"
        + "|Externalizable|Serializable|readObject|writeObject|readObjectNoData|readResolve"
        + "|writeReplace|readExternal|writeExternal|XMLDecoder|XMLEncoder)\\b");

    /** The repository root: two levels above the argfile ({@code <root>/ipc-core/jvm.options}). */
    private static Path repositoryRoot() {
        Path argfile = Path.of(System.getProperty("ipc.jvm.options", "jvm.options")).toAbsolutePath();
        return argfile.getParent().getParent();
    }

    @Test
    void noMainSourceUsesJavaSerialization() throws IOException {
        List<Path> sourceRoots = new ArrayList<>();
        try (Stream<Path> modules = Files.list(repositoryRoot())) {
            for (Path module : modules.sorted().toList()) {
                Path main = module.resolve("src/main/java");
                if (Files.isDirectory(main)) {
                    sourceRoots.add(main);
                }
            }
        }
        assertTrue(sourceRoots.stream().anyMatch(p -> p.toString().contains("ipc-core"))
            && sourceRoots.stream().anyMatch(p -> p.toString().contains("ipc-sync")), "found the modules: " + sourceRoots);
        List<String> hits = new ArrayList<>();
        int files = 0;
        for (Path sourceRoot : sourceRoots) {
            try (Stream<Path> sources = Files.walk(sourceRoot)) {
                for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    String code = stripCommentsAndLiterals(Files.readString(source));
                    Matcher m = FORBIDDEN.matcher(code);
                    while (m.find()) {
                        int line = 1 + (int) code.substring(0, m.start()).chars().filter(c -> c == '\n').count();
                        hits.add(repositoryRoot().relativize(source) + ":" + line + ": " + m.group());
                    }
                }
            }
        }
        assertTrue(files > 50, "scanned the sources: files=" + files);
        assertEquals(List.of(), hits, "Java serialization in main sources");
    }

    @Test
    void theStripperKeepsCodeAndDropsProse() {
        String source = """
            // ObjectInputStream in a line comment
            /* readObject in a block comment */
            /** Serializable in javadoc */
            String s = "writeObject in a string" + 'x' + \"\"\"
                readResolve in a text block\"\"\";
            class A implements java.io.Serializable { }
            """;
        String code = stripCommentsAndLiterals(source);
        List<String> found = new ArrayList<>();
        Matcher m = FORBIDDEN.matcher(code);
        while (m.find()) {
            found.add(m.group());
        }
        assertEquals(List.of("Serializable"), found);
        assertEquals(source.lines().count(), code.lines().count(), "line numbers are kept");
    }

    /** Java source with comments, string, text-block and char literals blanked out; newlines kept. */
    static String stripCommentsAndLiterals(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                end = end < 0 ? src.length() : end + 2;
                keepNewlines(src, i, end, out);
                i = end;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') {
                    end = src.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? src.length() : end + 3;
                keepNewlines(src, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = Math.min(j + 1, src.length());
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void keepNewlines(String src, int from, int to, StringBuilder out) {
        for (int k = from; k < to; k++) {
            if (src.charAt(k) == '\n') {
                out.append('\n');
            }
        }
        out.append(' ');
    }
}
