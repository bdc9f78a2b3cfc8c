package dev.spotrunner.webhook.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.webhook.BenchAccess;
import dev.spotrunner.webhook.Signature;
import dev.spotrunner.webhook.WebhookHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The JVM {@link WebhookBenchmark} starts from the shaded jar: builds the handler exactly as Lambda
 * does (public constructor, settings from the environment, SQS and SSM at the loopback stub), sends
 * signed requests and prints {@code BENCH key=value} lines. Mode {@code cold}: one request, with the
 * time of each phase; mode {@code warm}: a warm-up, then timed requests into an HdrHistogram.
 */
public final class BenchChild {
  private BenchChild() {}

  public static void main(String[] args) {
    long main = System.nanoTime();
    // Wall-clock time at main; the parent subtracts the time it started this JVM. (The process's own
    // start instant comes from /proc in clock ticks and was found ~250 ms off.)
    long mainEpochMs = System.currentTimeMillis();
    Secret secret = new Secret(System.getenv("BENCH_SECRET"));
    String mode = args.length > 0 ? args[0] : "cold";

    long logging = System.nanoTime();
    dev.spotrunner.common.log.Log.of(BenchChild.class).debug("logging up");
    long loggingDone = System.nanoTime();
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    WebhookHandler handler = new WebhookHandler();
    long constructed = System.nanoTime();
    // "primed": what SnapStart's beforeCheckpoint runs; the first request then is the restored one's
    boolean primed = args.length > 0 && args[args.length - 1].equals("primed");
    int primedRequests = primed ? BenchAccess.prime() : 0;
    long built = System.nanoTime();
    long cpuBefore = threads.getCurrentThreadCpuTime();
    java.lang.management.ClassLoadingMXBean loading = java.lang.management.ManagementFactory.getClassLoadingMXBean();
    long classesBefore = loading.getTotalLoadedClassCount();
    int status = handler.handleRequest(request(secret, 1), null).getStatusCode();
    long first = System.nanoTime();
    // CPU time of the first request on this thread: robust to other processes on a busy machine
    long firstCpu = threads.getCurrentThreadCpuTime() - cpuBefore;
    long firstClasses = loading.getTotalLoadedClassCount() - classesBefore;
    long cpu = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
    System.out.printf("BENCH mode=cold status=%d main_epoch_ms=%d logging_ms=%.1f handler_ms=%.1f"
            + " priming_ms=%.1f primed_requests=%d first_request_ms=%.1f first_request_cpu_ms=%.1f"
            + " first_request_classes=%d main_to_response_ms=%.1f cpu_ms=%d%n", status, mainEpochMs, ms(loggingDone - logging),
        ms(constructed - loggingDone), ms(built - constructed), primedRequests, ms(first - built),
        ms(firstCpu), firstClasses, ms(first - main), cpu);
    if (!mode.equals("warm")) {
      System.exit(status == 202 ? 0 : 1);
    }
    int requests = Integer.parseInt(args[1]);
    int warmup = Integer.parseInt(args[2]);
    List<APIGatewayV2HTTPEvent> events = new ArrayList<>(requests + warmup);
    for (int i = 0; i < requests + warmup; i++) {
      events.add(request(secret, 2 + i));
    }
    WebhookHandler withoutSqs = BenchAccess.withoutSqs(System.getenv(),
        System.getenv("WEBHOOK_SECRET_PARAMS"), secret);
    int bad = measure("warm_no_sqs", withoutSqs, events, warmup, requests)
        + measure("warm", handler, events, warmup, requests);
    System.exit(bad == 0 ? 0 : 1);
  }

  /** Sends the events (the first {@code warmup} untimed); prints a BENCH line; returns non-202s. */
  private static int measure(String mode, WebhookHandler handler, List<APIGatewayV2HTTPEvent> events,
      int warmup, int requests) {
    Histogram histogram = new Histogram(3_600_000_000_000L, 3);
    // the calling thread's CPU time per request: what the webhook and its AWS client spend,
    // without the stub's share or the time other processes hold the cores
    Histogram cpu = new Histogram(3_600_000_000_000L, 3);
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    int bad = 0;
    for (int i = 0; i < events.size(); i++) {
      long cpuStart = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      int code = handler.handleRequest(events.get(i), null).getStatusCode();
      long took = System.nanoTime() - start;
      long cpuTook = threads.getCurrentThreadCpuTime() - cpuStart;
      if (code != 202) {
        bad++;
      }
      if (i >= warmup) {
        histogram.recordValue(took);
        cpu.recordValue(Math.max(1, cpuTook));
      }
    }
    System.out.printf("BENCH mode=%s requests=%d warmup=%d non202=%d mean_ms=%.3f p50_ms=%.3f"
            + " p99_ms=%.3f p999_ms=%.3f max_ms=%.3f cpu_p50_ms=%.3f cpu_p99_ms=%.3f%n", mode,
        requests, warmup, bad, histogram.getMean() / 1e6, ms(histogram.getValueAtPercentile(50)),
        ms(histogram.getValueAtPercentile(99)), ms(histogram.getValueAtPercentile(99.9)),
        ms(histogram.getMaxValue()), ms(cpu.getValueAtPercentile(50)),
        ms(cpu.getValueAtPercentile(99)));
    return bad;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** A queued job for the bench pool, a new job and delivery each time, signed like GitHub does. */
  static APIGatewayV2HTTPEvent request(Secret secret, long n) {
    String body = """
        {"action":"queued","workflow_job":{"id":%d,"run_id":%d,"status":"queued",
        "created_at":"2026-03-01T11:59:00Z","started_at":"2026-03-01T11:59:00Z","completed_at":null,
        "labels":["self-hosted","linux","x64"],"name":"build","steps":[],"runner_id":null,
        "head_branch":"main","head_sha":"3484a3fb816e0859fd6e1cea078d76385ff50625",
        "workflow_name":"CI","run_attempt":1},
        "repository":{"id":186853002,"name":"api","full_name":"acme/api","private":true,
        "owner":{"login":"acme","id":38302899,"type":"Organization","site_admin":false},
        "html_url":"https://github.com/acme/api","fork":false,"default_branch":"main"},
        "organization":{"login":"acme","id":38302899},
        "sender":{"login":"octocat","id":1,"type":"User"},
        "installation":{"id":4242,"node_id":"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="}}
        """.formatted(100_000 + n, 900_000 + n);
    APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
    event.setHeaders(Map.of(
        "x-github-event", "workflow_job",
        "x-github-delivery", "bench-delivery-" + n,
        "x-hub-signature-256", Signature.sign(body.getBytes(StandardCharsets.UTF_8), secret),
        "content-type", "application/json",
        "user-agent", "GitHub-Hookshot/bench"));
    event.setBody(body);
    event.setIsBase64Encoded(false);
    return event;
  }
}
