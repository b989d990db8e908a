package ipc.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class PercentilePlotTest {

    @Test
    void percentLabelsOnePerNine() {
        assertEquals("0%", PercentilePlot.percentLabel(0));
        assertEquals("90%", PercentilePlot.percentLabel(1));
        assertEquals("99%", PercentilePlot.percentLabel(2));
        assertEquals("99.9%", PercentilePlot.percentLabel(3));
        assertEquals("99.999%", PercentilePlot.percentLabel(5));
    }

    @Test
    void tickLabelsSwitchToMillisecondsAndSeconds() {
        assertEquals("0.2", PercentilePlot.tickLabel(2, -1));
        assertEquals("500", PercentilePlot.tickLabel(5, 2));
        assertEquals("2 ms", PercentilePlot.tickLabel(2, 3));
        assertEquals("50 ms", PercentilePlot.tickLabel(5, 4));
        assertEquals("1 s", PercentilePlot.tickLabel(1, 6));
    }

    @Test
    void wellFormedSvgWithOneLinePerSampledSeries() throws Exception {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 10_000; i++) {
            h.recordValue(300 + i % 700);
        }
        Series sampled = new Series(Catalog.CHRONICLE, "b", "sample", 0.5, "us/op", h, Map.of(), null, "vm");
        Series throughput = new Series(Catalog.STREAM, "s", "thrpt", 5, "ops/us", null, Map.of(), null, "vm");

        String svg = PercentilePlot.render("title <&>", List.of(sampled, throughput));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        assertEquals(1, doc.getElementsByTagName("polyline").getLength());
        assertTrue(svg.contains("stroke-dasharray"), "a baseline is dashed");
        assertTrue(svg.contains("title &lt;&amp;&gt;"));
    }
}
