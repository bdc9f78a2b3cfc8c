package dev.spotrunner.simulator;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.data.time.Minute;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes a self-contained HTML report: the summary table and three pictures (instances over time,
 * jobs waiting over time, wait-time distribution simulated vs observed), embedded as PNG.
 */
public final class Report {
  private Report() {}

  public static void write(SimulationResult result, String title, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> images = new ArrayList<>();
    images.add(png(timeChart("Instances (pending + running)", "instances", result, true)));
    images.add(png(timeChart("Jobs waiting for a runner", "jobs", result, false)));
    images.add(png(waitChart(result)));
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>body{font-family:sans-serif;margin:2em}"
            + "pre{background:#f6f8fa;padding:1em}img{max-width:100%;display:block;margin:1em 0}"
            + "</style></head><body>");
    html.append("<h1>").append(escape(title)).append("</h1>");
    html.append("<pre>").append(escape(result.summary())).append("</pre>");
    for (String image : images) {
      html.append("<img alt=\"chart\" src=\"data:image/png;base64,").append(image).append("\">");
    }
    html.append("<p>Waits are queued → started. Busy/idle are instance-minutes. Cost uses the "
        + "price table of the configuration.</p></body></html>");
    Files.writeString(file, html.toString(), StandardCharsets.UTF_8);
  }

  private static JFreeChart timeChart(String title, String axis, SimulationResult result,
      boolean instances) {
    TimeSeriesCollection data = new TimeSeriesCollection();
    for (String pool : result.pools().keySet()) {
      TimeSeries series = new TimeSeries(pool);
      for (Simulation.Sample sample : result.timeline()) {
        Map<String, Integer> values = instances ? sample.instances() : sample.waiting();
        series.addOrUpdate(new Minute(Date.from(sample.at())), values.getOrDefault(pool, 0));
      }
      data.addSeries(series);
    }
    return ChartFactory.createTimeSeriesChart(title, "time (UTC)", axis, data, true, false, false);
  }

  private static JFreeChart waitChart(SimulationResult result) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(percentiles("simulated", result.overall().simulated()));
    if (result.overall().observed().count() > 0) {
      data.addSeries(percentiles("observed", result.overall().observed()));
    }
    JFreeChart chart = ChartFactory.createXYLineChart("Wait time distribution (all pools)",
        "percentile", "wait (s, log scale)", data);
    LogarithmicAxis log = new LogarithmicAxis("wait (s, log scale)");
    log.setAllowNegativesFlag(false);
    log.setStrictValuesFlag(false);
    chart.getXYPlot().setRangeAxis(log);
    return chart;
  }

  private static XYSeries percentiles(String name, Waits waits) {
    XYSeries series = new XYSeries(name);
    for (int p = 1; p <= 99; p++) {
      series.add(p, Math.max(1, waits.percentile(p)));
    }
    return series;
  }

  private static String png(JFreeChart chart) throws IOException {
    BufferedImage image = chart.createBufferedImage(1000, 400);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(image, "png", bytes);
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
