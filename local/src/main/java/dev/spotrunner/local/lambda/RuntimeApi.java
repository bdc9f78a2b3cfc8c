package dev.spotrunner.local.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The AWS Lambda Runtime API (version 2018-06-01) for one function, on loopback: the runtime in the
 * function's JVM long-polls {@code invocation/next}, then posts {@code response} or {@code error}
 * for the request id it was given. {@link #submit} queues an event and completes when the runtime
 * answers; init errors fail every pending and later invocation until {@link #resetInit()}.
 */
public final class RuntimeApi implements AutoCloseable {
  private static final Log log = Log.of(RuntimeApi.class);
  private static final String PREFIX = "/2018-06-01/runtime/";

  private record Pending(String requestId, String event, Instant deadline,
      CompletableFuture<InvocationResult> result) {}

  /** One invocation as the runtime served it: from handing it the event to its answer. */
  public record Served(String requestId, Instant started, Instant ended, boolean failed) {}

  private final String functionArn;
  private final Clock clock;
  private final HttpServer server;
  private final LinkedBlockingQueue<Pending> queued = new LinkedBlockingQueue<>();
  private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Instant> startedAt = new ConcurrentHashMap<>();
  private final List<Served> served = new CopyOnWriteArrayList<>();
  private final AtomicReference<Instant> firstPoll = new AtomicReference<>();
  private final AtomicReference<String> initError = new AtomicReference<>();

  public RuntimeApi(String functionArn, Clock clock) throws IOException {
    this.functionArn = functionArn;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(PREFIX, this::handle);
    server.start();
  }

  /** {@code 127.0.0.1:port}, the value of {@code AWS_LAMBDA_RUNTIME_API}. */
  public String address() {
    return server.getAddress().getHostString() + ":" + server.getAddress().getPort();
  }

  /** Queues one event; the future completes with the runtime's answer. */
  public CompletableFuture<InvocationResult> submit(String event, Duration timeout) {
    String requestId = UUID.randomUUID().toString();
    Pending pending = new Pending(requestId, event, clock.instant().plus(timeout),
        new CompletableFuture<>());
    String failedInit = initError.get();
    if (failedInit != null) {
      pending.result().complete(InvocationResult.failure(requestId, "Runtime.InitError", failedInit));
      return pending.result();
    }
    queued.add(pending);
    return pending.result();
  }

  /** Fails every queued and in-flight invocation, e.g. when the function's process died. */
  public void failAll(String errorType, String message) {
    Pending pending;
    while ((pending = queued.poll()) != null) {
      pending.result().complete(InvocationResult.failure(pending.requestId(), errorType, message));
    }
    for (Pending running : inFlight.values()) {
      running.result().complete(InvocationResult.failure(running.requestId(), errorType, message));
    }
    inFlight.clear();
  }

  /** Every invocation the runtime answered, in the order of the answers. */
  public List<Served> served() {
    return List.copyOf(served);
  }

  /** When the runtime first asked for an invocation: the end of its init phase. */
  public Instant firstPoll() {
    return firstPoll.get();
  }

  public void resetFirstPoll() {
    firstPoll.set(null);
  }

  /** The body the runtime posted to {@code init/error}, or null. */
  public String initError() {
    return initError.get();
  }

  public void resetInit() {
    initError.set(null);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath().substring(PREFIX.length());
      String method = exchange.getRequestMethod();
      if (method.equals("GET") && path.equals("invocation/next")) {
        next(exchange);
      } else if (method.equals("POST") && path.equals("init/error")) {
        String body = read(exchange.getRequestBody());
        initError.set(body);
        log.warn("function init failed", Log.entry("function", functionArn));
        failAll("Runtime.InitError", body);
        send(exchange, 202, "{\"status\":\"OK\"}");
      } else if (method.equals("POST") && path.startsWith("invocation/")) {
        String[] parts = path.split("/");
        if (parts.length != 3 || !(parts[2].equals("response") || parts[2].equals("error"))) {
          send(exchange, 404, "{\"errorMessage\":\"unknown path\"}");
          return;
        }
        Pending pending = inFlight.remove(parts[1]);
        String body = read(exchange.getRequestBody());
        if (pending == null) {
          send(exchange, 400, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}");
          return;
        }
        Instant started = startedAt.remove(pending.requestId());
        served.add(new Served(pending.requestId(), started, clock.instant(), parts[2].equals("error")));
        if (parts[2].equals("response")) {
          pending.result().complete(InvocationResult.success(pending.requestId(), body));
        } else {
          String type = exchange.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
          pending.result().complete(InvocationResult.failure(pending.requestId(),
              type == null ? "Unhandled" : type, body));
        }
        send(exchange, 202, "{\"status\":\"OK\"}");
      } else {
        send(exchange, 404, "{\"errorMessage\":\"unknown path\"}");
      }
    }
  }

  private void next(HttpExchange exchange) throws IOException {
    firstPoll.compareAndSet(null, clock.instant());
    Pending pending;
    try {
      do {
        pending = queued.poll(1, TimeUnit.HOURS);
      } while (pending != null && pending.result().isDone());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (pending == null) {
      send(exchange, 500, "{}");
      return;
    }
    startedAt.put(pending.requestId(), clock.instant());
    inFlight.put(pending.requestId(), pending);
    var headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    headers.set("Lambda-Runtime-Aws-Request-Id", pending.requestId());
    headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(pending.deadline().toEpochMilli()));
    headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
    headers.set("Lambda-Runtime-Trace-Id",
        "Root=1-" + Long.toHexString(clock.millis() / 1000) + "-" + pending.requestId()
            .replace("-", "").substring(0, 24) + ";Sampled=0");
    send(exchange, 200, pending.event());
  }

  private static String read(InputStream body) throws IOException {
    return new String(body.readAllBytes(), StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    failAll("Runtime.Shutdown", "runtime API closed");
    server.stop(0);
  }
}
