package dev.spotrunner.webhook;

import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;

/**
 * Whether the streaming {@link PayloadReader} still pays for itself next to the SDK: reads one
 * GitHub payload with it or with the databind reader it replaced ({@link
 * PayloadReaderProperties.Databind}), in a fresh JVM: the first read (class loading included) and
 * the p50/p99 of N reads after a warm-up. A benchmark, not a test; how to run: webhook/README.md.
 *
 * <p>Arguments: {@code streaming|databind [reads=100000] [warmup=50000]}.
 */
public final class PayloadReaderBenchmark {
  private PayloadReaderBenchmark() {}

  public static void main(String[] args) {
    String which = args.length > 0 ? args[0] : "streaming";
    int reads = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 50_000;
    byte[] body = TestWebhooks.fixture("workflow_job.queued.with-deployment.payload.json")
        .getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    String first = read(which, body);
    long firstNanos = System.nanoTime() - start;
    if (!first.contains("12877621891")) {
      throw new IllegalStateException("unexpected read: " + first);
    }
    Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    long sink = 0;
    for (int i = 0; i < warmup + reads; i++) {
      long t = System.nanoTime();
      sink += read(which, body).length();
      long took = System.nanoTime() - t;
      if (i >= warmup) {
        histogram.recordValue(took);
      }
    }
    System.out.printf("%s: %d-byte payload, first read %.1f ms; warm over %d reads: p50 %.1f µs,"
            + " p99 %.1f µs (%d)%n", which, body.length, firstNanos / 1e6, reads,
        histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3, sink % 10);
  }

  private static String read(String which, byte[] body) {
    return switch (which) {
      case "streaming" -> "payload " + PayloadReader.read(body);
      case "databind" -> PayloadReaderProperties.Databind.outcome(body);
      default -> throw new IllegalArgumentException("streaming or databind: " + which);
    };
  }
}
