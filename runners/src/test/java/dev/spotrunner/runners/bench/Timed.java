package dev.spotrunner.runners.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/** Wraps a port so every call's latency lands in a histogram per method (microseconds). */
final class Timed {
  private final Map<String, Histogram> latencies = new TreeMap<>();

  <T> T wrap(Class<T> port, T target, String prefix) {
    Object proxy = Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port},
        (self, method, args) -> {
          long start = System.nanoTime();
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            record(prefix + "." + method.getName(), (System.nanoTime() - start) / 1000);
          }
        });
    return port.cast(proxy);
  }

  private synchronized void record(String name, long micros) {
    latencies.computeIfAbsent(name, n -> new Histogram(600_000_000L, 3))
        .recordValue(Math.max(1, micros));
  }

  synchronized void reset() {
    latencies.clear();
  }

  synchronized String report() {
    StringBuilder text = new StringBuilder();
    latencies.forEach((name, h) -> text.append(String.format(java.util.Locale.ROOT,
        "    %-32s n=%4d  p50 %6.1f ms  max %7.1f ms%n", name, h.getTotalCount(),
        h.getValueAtPercentile(50) / 1000.0, h.getMaxValue() / 1000.0)));
    return text.toString();
  }
}
