package io.consentgate.bench;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** One PNG: throughput (events/s) beside latency percentiles (ms), drawn with JFreeChart. */
final class Chart {

  private Chart() {}

  static void write(Map<String, Object> results, Path file) throws IOException {
    DefaultCategoryDataset throughput = new DefaultCategoryDataset();
    add(throughput, results, "passthrough_eos_eps", "passthrough EOS");
    add(throughput, results, "stateful_eos_eps", "stateful baseline EOS");
    add(throughput, results, "gate_eos_eps", "gate EOS");
    add(throughput, results, "gate_alo_eps", "gate at-least-once");
    add(throughput, results, "replay_eps", "offline replay");
    add(throughput, results, "restore_eps", "restore");
    JFreeChart left = ChartFactory.createBarChart("Throughput (" + results.get("mode") + " run)", "", "events/s",
        throughput, PlotOrientation.HORIZONTAL, false, false, false);

    DefaultCategoryDataset latency = new DefaultCategoryDataset();
    Object byRate = results.get("latency_ms");
    if (byRate instanceof Map<?, ?> rates) {
      rates.forEach((rate, v) -> {
        Map<?, ?> p = (Map<?, ?>) v;
        for (String key : new String[] {"p50", "p99", "p99_9"}) {
          if (p.get(key) instanceof Number n && !Double.isNaN(n.doubleValue())) {
            latency.addValue(n.doubleValue(), key, rate + " ev/s");
          }
        }
      });
    }
    JFreeChart right = ChartFactory.createBarChart("Event to committed verdict", "", "ms", latency,
        PlotOrientation.VERTICAL, true, false, false);

    BufferedImage image = new BufferedImage(1400, 560, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 1400, 560);
    left.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 760, 560));
    right.draw(g, new java.awt.geom.Rectangle2D.Double(760, 0, 640, 560));
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static void add(DefaultCategoryDataset data, Map<String, Object> results, String key, String label) {
    if (results.get(key) instanceof Number n) {
      data.addValue(n.doubleValue(), "events/s", label);
    }
  }
}
