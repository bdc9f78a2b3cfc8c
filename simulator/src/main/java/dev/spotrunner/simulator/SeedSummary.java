package dev.spotrunner.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The figures of N seeds: min, median and max of every metric, per pool and overall. */
public record SeedSummary(int seeds, Map<String, Map<String, Spread>> pools,
    Map<String, Spread> overall) {

  /** One metric over the seeds. */
  public record Spread(double min, double median, double max) {}

  public static SeedSummary of(List<SimulationResult> runs) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs");
    }
    Map<String, Map<String, Spread>> pools = new LinkedHashMap<>();
    for (String pool : runs.getFirst().pools().keySet()) {
      pools.put(pool, spread(runs.stream().map(r -> r.pools().get(pool).metrics()).toList()));
    }
    return new SeedSummary(runs.size(), pools,
        spread(runs.stream().map(r -> r.overall().metrics()).toList()));
  }

  private static Map<String, Spread> spread(List<Map<String, Number>> metrics) {
    Map<String, Spread> out = new LinkedHashMap<>();
    for (String key : metrics.getFirst().keySet()) {
      List<Double> values = new ArrayList<>(metrics.stream()
          .map(m -> m.get(key).doubleValue()).toList());
      values.sort(Double::compare);
      int n = values.size();
      double median = n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
      out.put(key, new Spread(values.getFirst(), median, values.getLast()));
    }
    return out;
  }

  /** The JSON {@code --json} writes: {seeds, pools: {name: {metric: {min, median, max}}}, overall}. */
  public Map<String, Object> json() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("seeds", seeds);
    out.put("pools", pools);
    out.put("overall", overall);
    return out;
  }

  /** A table: one row per pool and metric, min / median / max. */
  public String table() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("over %d seeds (min / median / max):%n", seeds));
    Map<String, Map<String, Spread>> rows = new LinkedHashMap<>(pools);
    rows.put("all", overall);
    List<String> keys = List.copyOf(overall.keySet());
    out.append(String.format("%-26s", "metric"));
    rows.keySet().forEach(p -> out.append(String.format(" %28s", p)));
    out.append('\n');
    for (String key : keys) {
      out.append(String.format("%-26s", key));
      for (Map<String, Spread> pool : rows.values()) {
        Spread s = pool.get(key);
        out.append(String.format(" %28s", format(s.min()) + " / " + format(s.median()) + " / "
            + format(s.max())));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString((long) v)
        : String.format("%.3g", v);
  }
}
