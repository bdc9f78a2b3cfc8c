package dev.spotrunner.simulator;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.data.time.Hour;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes a self-contained HTML report: the summary (and the spread over seeds), every setting with
 * its source, and pictures that stay readable over weeks: instances and waiting jobs per hour (the
 * hour's maximum) and the wait CDF on a log axis up to the longest wait, simulated vs observed.
 */
public final class Report {
  private Report() {}

  public static void write(List<SimulationResult> runs, SeedSummary summary,
      List<Deployment.Setting> settings, String title, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    SimulationResult first = runs.getFirst();
    List<String> images = new ArrayList<>();
    images.add(png(hourly("Instances per hour (maximum, seed 1)", "instances", first, true)));
    images.add(png(hourly("Jobs waiting for a runner per hour (maximum, seed 1)", "jobs", first,
        false)));
    images.add(png(cdf(runs)));
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title)).append("</title><style>body{font-family:sans-serif;margin:2em}"
            + "pre{background:#f6f8fa;padding:1em;overflow-x:auto}img{max-width:100%;display:block;"
            + "margin:1em 0}table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ddd;"
            + "padding:2px 6px;text-align:left}</style></head><body>");
    html.append("<h1>").append(escape(title)).append("</h1>");
    html.append("<h2>Seed 1</h2><pre>").append(escape(first.summary())).append("</pre>");
    if (runs.size() > 1) {
      html.append("<h2>Spread over ").append(runs.size()).append(" seeds</h2><pre>")
          .append(escape(summary.table())).append("</pre>");
    }
    for (String image : images) {
      html.append("<img alt=\"chart\" src=\"data:image/png;base64,").append(image).append("\">");
    }
    html.append("<h2>Settings and where they came from</h2><table><tr><th>pool</th><th>setting"
        + "</th><th>value</th><th>source</th></tr>");
    for (Deployment.Setting s : settings) {
      html.append("<tr><td>").append(escape(s.pool())).append("</td><td>").append(escape(s.name()))
          .append("</td><td><code>").append(escape(String.valueOf(s.value())))
          .append("</code></td><td>").append(escape(String.valueOf(s.source()))).append("</td></tr>");
    }
    html.append("</table><p>Waits are queued → started. Busy/idle are instance-minutes. "
        + "docs/simulator.md explains every figure.</p></body></html>");
    Files.writeString(file, html.toString(), StandardCharsets.UTF_8);
  }

  private static JFreeChart hourly(String title, String axis, SimulationResult result,
      boolean instances) {
    TimeSeriesCollection data = new TimeSeriesCollection();
    for (String pool : result.pools().keySet()) {
      Map<Instant, Integer> byHour = new TreeMap<>();
      for (Simulation.Sample sample : result.timeline()) {
        Map<String, Integer> values = instances ? sample.instances() : sample.waiting();
        byHour.merge(sample.at().truncatedTo(ChronoUnit.HOURS), values.getOrDefault(pool, 0),
            Math::max);
      }
      TimeSeries series = new TimeSeries(pool);
      byHour.forEach((hour, value) -> series.addOrUpdate(new Hour(Date.from(hour)), value));
      data.addSeries(series);
    }
    return ChartFactory.createTimeSeriesChart(title, "time (UTC)", axis, data, true, false, false);
  }

  private static JFreeChart cdf(List<SimulationResult> runs) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (int i = 0; i < runs.size(); i++) {
      data.addSeries(cdf("simulated, seed " + (i + 1), runs.get(i).overall().simulated()));
    }
    if (runs.getFirst().overall().observed().count() > 0) {
      data.addSeries(cdf("observed", runs.getFirst().overall().observed()));
    }
    JFreeChart chart = ChartFactory.createXYLineChart(
        "Wait CDF, all pools (log axis up to the longest wait)", "wait (s, log scale)",
        "share of jobs started", data);
    LogarithmicAxis log = new LogarithmicAxis("wait (s, log scale)");
    log.setAllowNegativesFlag(false);
    log.setStrictValuesFlag(false);
    chart.getXYPlot().setDomainAxis(log);
    return chart;
  }

  private static XYSeries cdf(String name, Waits waits) {
    XYSeries series = new XYSeries(name);
    long total = waits.count();
    if (total == 0) {
      return series;
    }
    long seen = 0;
    for (HistogramIterationValue v : waits.histogram().recordedValues()) {
      seen += v.getCountAtValueIteratedTo();
      series.add(Math.max(1, v.getValueIteratedTo()), (double) seen / total);
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
