package dev.spotrunner.local.dashboard;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.lambda.FunctionPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The applied CloudWatch dashboard, live in a browser: a page on loopback that draws the dashboard
 * body Terraform applied from the EMF lines the function processes wrote in this run (their log
 * files) and from what the stack samples of AWS's own metrics (SQS queue depth, Lambda invocations,
 * errors and duration), with jobs, instances and runners as they are now. The page polls
 * {@code /api/widgets}; no file comes from the internet.
 */
public final class LiveDashboard implements AutoCloseable {
  private static final Log log = Log.of(LiveDashboard.class);
  /** The local graphs' period: a local run lasts minutes; the deployed dashboard's period is 300 s by default. */
  public static final Duration PERIOD = Duration.ofSeconds(10);
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);

  /**
   * What the page draws from.
   *
   * @param logs the function processes' log files (their stdout: EMF lines among the log lines)
   * @param body the dashboard body as applied, asked for once, when the page is first drawn
   * @param queues SQS queue name → URL, the pools' job queues and DLQs
   * @param functions every function's execution environments
   * @param instances instances alive now
   */
  public record Sources(Path logs, Supplier<JsonNode> body, SqsClient sqs, Map<String, String> queues,
      Supplier<List<FunctionPool>> functions, GitHubHost github, IntSupplier instances) {}

  private final Sources sources;
  private final Clock clock;
  private final MetricStore store = new MetricStore();
  private final Set<String> invocationsSeen = new HashSet<>();
  private final HttpServer server;
  private Thread sampler;
  private final long startedAt;
  private volatile JsonNode body;
  private boolean bodyAsked;
  private boolean closed;

  private LiveDashboard(Sources sources, Clock clock) throws IOException {
    this.sources = Objects.requireNonNull(sources);
    this.clock = clock;
    this.startedAt = clock.millis();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/api/widgets", this::widgets);
    server.createContext("/", this::page);
    server.start();
  }

  /** Starts the page on a free loopback port. */
  public static LiveDashboard start(Sources sources, Clock clock) throws IOException {
    LiveDashboard dashboard = new LiveDashboard(sources, clock);
    log.info("live dashboard", entry("url", dashboard.url()));
    return dashboard;
  }

  /** The body of the dashboard in {@code terraform show -json} (no widget when none was applied). */
  public static JsonNode appliedBody(JsonNode state) throws IOException {
    List<JsonNode> modules = new java.util.ArrayList<>(List.of(state.path("values").path("root_module")));
    while (!modules.isEmpty()) {
      JsonNode module = modules.removeFirst();
      for (JsonNode resource : module.path("resources")) {
        if (resource.path("type").asText().equals("aws_cloudwatch_dashboard")) {
          return Json.MAPPER.readTree(resource.path("values").path("dashboard_body").asText());
        }
      }
      module.path("child_modules").forEach(modules::add);
    }
    return Json.MAPPER.readTree("{\"widgets\":[]}");
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  private void sampleForever() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        sample();
        Thread.sleep(SAMPLE_EVERY);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("live dashboard sample failed", Log.error(e));
      }
    }
  }

  /** Reads new EMF lines and samples AWS's metrics once. */
  synchronized void sample() {
    long now = clock.millis();
    store.tail(sources.logs());
    sources.queues().forEach((name, url) -> {
      String visible = sources.sqs().getQueueAttributes(r -> r.queueUrl(url)
          .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
          .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
      store.add(new MetricStore.Point("AWS/SQS", "ApproximateNumberOfMessagesVisible", Map.of("QueueName", name),
          now, Double.parseDouble(visible)));
    });
    for (FunctionPool function : sources.functions().get()) {
      String name = function.spec().name();
      for (FunctionPool.Invocation invocation : function.invocations()) {
        // an invocation is listed once it ended, by start time: one that ran long may come in between
        if (!invocationsSeen.add(name + "/" + invocation.pid() + "/" + invocation.requestId())) {
          continue;
        }
        Map<String, String> dimensions = Map.of("FunctionName", name);
        long at = invocation.ended().toEpochMilli();
        store.add(new MetricStore.Point("AWS/Lambda", "Invocations", dimensions, at, 1));
        store.add(new MetricStore.Point("AWS/Lambda", "Errors", dimensions, at, invocation.failed() ? 1 : 0));
        store.add(new MetricStore.Point("AWS/Lambda", "Duration", dimensions, at,
            Duration.between(invocation.started(), invocation.ended()).toMillis()));
      }
    }
  }

  /** The page's data: the widgets as drawn now, and jobs, instances and runners. */
  Map<String, Object> snapshot() {
    long now = clock.millis();
    Map<String, Object> live = new LinkedHashMap<>();
    Map<String, Long> jobs = new LinkedHashMap<>();
    for (String status : List.of("queued", "in_progress", "completed")) {
      jobs.put(status, 0L);
    }
    sources.github().jobs().forEach(job -> jobs.merge(job.status(), 1L, Long::sum));
    live.put("jobs", jobs);
    live.put("instances", sources.instances().getAsInt());
    List<GitHubHost.RunnerView> runners = sources.github().runners();
    live.put("runnersBusy", runners.stream().filter(GitHubHost.RunnerView::busy).count());
    live.put("runnersIdle", runners.stream().filter(r -> !r.busy()).count());
    Map<String, Object> snapshot = new LinkedHashMap<>();
    snapshot.put("at", now);
    snapshot.put("periodSeconds", PERIOD.toSeconds());
    snapshot.put("live", live);
    if (!bodyAsked) {
      bodyAsked = true;
      // The applied body comes from `terraform show` (half a minute on a loaded machine): it is read
      // beside the page, which draws jobs, instances and runners at once and the widgets once it is here.
      Thread.ofVirtual().name("live-dashboard-body").start(this::readBodyThenSample);
    }
    JsonNode drawn = body;
    snapshot.put("widgets", drawn == null ? List.of()
        : new DashboardView(drawn, store, PERIOD.toMillis()).toJson(startedAt, now));
    return snapshot;
  }

  /**
   * Sampling starts with the first look: a stack whose page nobody opens (a test) pays nothing; the
   * EMF lines and invocations before it are all read, the queue depth from then on.
   */
  private void readBodyThenSample() {
    JsonNode read;
    try {
      read = sources.body().get();
    } catch (RuntimeException e) {
      log.warn("live dashboard body not read, asked again at the next look", Log.error(e));
      synchronized (this) {
        bodyAsked = false;
      }
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      sample();
      body = read;
      sampler = Thread.ofVirtual().name("live-dashboard").start(this::sampleForever);
    }
  }

  private void widgets(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] answer;
      synchronized (this) {
        answer = Json.write(snapshot()).getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
    }
  }

  private void page(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"/".equals(exchange.getRequestURI().getPath())) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      byte[] page = resource("index.html");
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = LiveDashboard.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (sampler != null) {
      sampler.interrupt();
    }
    server.stop(0);
  }
}
