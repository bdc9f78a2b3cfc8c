package dev.spotrunner.testkit.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP proxy in front of an AWS emulator that makes chosen calls fail the way AWS fails, and
 * counts calls per action. Point SDK clients at {@link #endpoint()} instead of the emulator's.
 *
 * <pre>{@code
 * FaultProxy proxy = FaultProxy.start(emulator.endpoint());
 * proxy.failNext(2, FaultProxy.spotFleet(), Fault.capacity("InsufficientInstanceCapacity"));
 * proxy.failNext(3, FaultProxy.action("SendMessage"), Fault.throttle());
 * proxy.delayNext(1, FaultProxy.action("GetParameter"), Duration.ofSeconds(3));
 * ... proxy.calls("CreateFleet") ... proxy.seen("CreateFleet").get(0).param("ClientToken") ...
 * }</pre>
 *
 * <p>Rules are tried in the order they were added; a rule answers at most {@code times} calls.
 * Unmatched calls are forwarded unchanged. With {@link #honourFleetClientTokens}, a CreateFleet
 * that repeats a ClientToken gets the first answer again, as EC2 does and moto does not.
 *
 * <p>Whatever the rules, the proxy is as strict as AWS where moto is lenient ({@link AwsRules},
 * docs/aws-emulator.md): SSM refuses a Standard-tier value over 4,096 characters (on by default,
 * {@link #enforceParameterTiers}); with {@code eventualConsistency(EC2_NOT_FOUND_WINDOW)} EC2 does
 * not know new instances for 2 s after their launch (off by default: scale-down's ghost rule does
 * not survive it yet).
 */
public final class FaultProxy implements AutoCloseable {
  /** What the proxy saw of one request. */
  public record Call(String service, String action, String method, String path, String query,
      Map<String, List<String>> headers, byte[] body, Map<String, String> params) {

    /** A form parameter of a query-protocol call (EC2), such as {@code ClientToken}. */
    public String param(String name) {
      return params.get(name);
    }

    /** Form parameters whose name starts with {@code prefix}, in order. */
    public Map<String, String> paramsStartingWith(String prefix) {
      Map<String, String> found = new TreeMap<>();
      params.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          found.put(k, v);
        }
      });
      return found;
    }

    public String bodyText() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** An answer the proxy gives instead of forwarding. */
  public record Response(int status, Map<String, String> headers, byte[] body) {}

  /** A fault answers instead of forwarding; without one, the call is forwarded after the delay. */
  private record Rule(Predicate<Call> match, Fault fault, Duration delay, AtomicInteger remaining) {}

  /**
   * The window for {@link #eventualConsistency} that an outside test of issue 13 used against
   * spotrunner; EC2 documents no bound.
   */
  public static final Duration EC2_NOT_FOUND_WINDOW = Duration.ofSeconds(2);

  private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "expect",
      "host", "upgrade", "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

  private final URI target;
  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final List<Call> recent = new CopyOnWriteArrayList<>();
  private final AtomicInteger spotCapacity = new AtomicInteger(Integer.MAX_VALUE);
  private final Map<String, Response> fleetsByToken = new ConcurrentHashMap<>();
  private volatile boolean honourFleetClientTokens;
  private final AwsRules aws = new AwsRules(System::nanoTime);

  private FaultProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "fault-proxy");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A proxy on a free loopback port forwarding to {@code target}. */
  public static FaultProxy start(URI target) {
    try {
      return new FaultProxy(target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fault proxy", e);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The next {@code times} calls that match are answered by {@code fault}. */
  public FaultProxy failNext(int times, Predicate<Call> match, Fault fault) {
    rules.add(new Rule(match, java.util.Objects.requireNonNull(fault, "fault"), Duration.ZERO,
        new AtomicInteger(times)));
    return this;
  }

  /** The next {@code times} matching calls are forwarded only after {@code delay} (slow AWS, timeouts). */
  public FaultProxy delayNext(int times, Predicate<Call> match, Duration delay) {
    rules.add(new Rule(match, null, delay, new AtomicInteger(times)));
    return this;
  }

  /** The next {@code times} calls of {@code action} are answered by {@code fault}. */
  public FaultProxy failNext(int times, String action, Fault fault) {
    return failNext(times, action(action), fault);
  }

  /** Spot CreateFleet calls get no instances and an InsufficientInstanceCapacity error item. */
  public FaultProxy noSpotCapacity(int times) {
    return failNext(times, spotFleet(), Fault.capacity("InsufficientInstanceCapacity"));
  }

  /**
   * From now on, spot CreateFleet calls get at most {@code instances} more spot instances in total:
   * a call asking for more is forwarded for what is left, and EC2's 200 answer carries
   * {@code InsufficientInstanceCapacity} items for the shortfall; with nothing left, no instances.
   * On-demand calls are not limited. {@link #reset()} lifts the limit.
   */
  public FaultProxy spotCapacity(int instances) {
    spotCapacity.set(instances);
    return this;
  }

  /** Repeated CreateFleet ClientTokens get the first answer again (EC2's idempotency). */
  public FaultProxy honourFleetClientTokens(boolean honour) {
    this.honourFleetClientTokens = honour;
    return this;
  }

  /**
   * Whether SSM PutParameter follows AWS's tier rules: a Standard or tier-less value over 4,096
   * characters, and a Standard write to an Advanced parameter, get 400 ValidationException. On by
   * default.
   */
  public FaultProxy enforceParameterTiers(boolean enforce) {
    aws.parameterTiers(enforce);
    return this;
  }

  /**
   * For {@code window} after a CreateFleet or RunInstances answer, EC2 does not know the new
   * instances yet: CreateTags, TerminateInstances and DescribeInstances naming them get 400
   * {@code InvalidInstanceID.NotFound}, and DescribeInstances by filter leaves them out.
   * {@link Duration#ZERO} (the default) makes EC2 immediately consistent, as moto is.
   */
  public FaultProxy eventualConsistency(Duration window) {
    aws.consistencyWindow(java.util.Objects.requireNonNull(window, "window"));
    return this;
  }

  public static Predicate<Call> action(String action) {
    return call -> action.equals(call.action());
  }

  /** CreateFleet calls whose default capacity type is spot. */
  public static Predicate<Call> spotFleet() {
    return call -> "CreateFleet".equals(call.action())
        && "spot".equals(call.param("TargetCapacitySpecification.DefaultTargetCapacityType"));
  }

  /** Calls seen for an action, answered or forwarded. */
  public int calls(String action) {
    AtomicInteger count = calls.get(action);
    return count == null ? 0 : count.get();
  }

  /** Calls seen per action. */
  public Map<String, Integer> calls() {
    Map<String, Integer> copy = new TreeMap<>();
    calls.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  /** The calls of {@code action} seen since the last reset (the latest 1000 calls are kept). */
  public List<Call> seen(String action) {
    return recent.stream().filter(call -> action.equals(call.action())).toList();
  }

  /**
   * Removes the rules, the counters, the recorded calls and the remembered client tokens and
   * launches; AWS's rules are back to their defaults.
   */
  public void reset() {
    aws.reset();
    rules.clear();
    calls.clear();
    recent.clear();
    fleetsByToken.clear();
    spotCapacity.set(Integer.MAX_VALUE);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Call call = CallParser.parse(exchange, body);
      calls.computeIfAbsent(call.action(), a -> new AtomicInteger()).incrementAndGet();
      recent.add(call);
      if (recent.size() > 1000) {
        recent.remove(0);
      }
      Response answer = null;
      for (Rule rule : rules) {
        if (rule.match().test(call) && rule.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          if (rule.fault() != null) {
            answer = rule.fault().answer(call);
          } else {
            sleep(rule.delay());
          }
          break;
        }
      }
      if (answer == null) {
        answer = aws.refusal(call);
      }
      if (answer == null) {
        answer = aws.answered(call, forwardOnce(call, exchange));
      }
      send(exchange, answer);
    } catch (RuntimeException e) {
      // A broken proxy must show as a failed call, not a hung one.
      byte[] message = ("fault proxy: " + e).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(502, message.length);
      exchange.getResponseBody().write(message);
    }
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Response forwardOnce(Call call, HttpExchange exchange) throws IOException {
    String token = call.param("ClientToken");
    if (honourFleetClientTokens && "CreateFleet".equals(call.action()) && token != null) {
      Response earlier = fleetsByToken.get(token);
      if (earlier != null) {
        return earlier;
      }
      synchronized (fleetsByToken) {
        earlier = fleetsByToken.get(token);
        if (earlier != null) {
          return earlier;
        }
        Response response = forwardWithinCapacity(call, exchange);
        if (response.status() == 200) {
          fleetsByToken.put(token, response);
        }
        return response;
      }
    }
    return forwardWithinCapacity(call, exchange);
  }

  private Response forwardWithinCapacity(Call call, HttpExchange exchange) throws IOException {
    if (spotCapacity.get() == Integer.MAX_VALUE || !spotFleet().test(call)) {
      return forward(call, exchange);
    }
    String total = "TargetCapacitySpecification.TotalTargetCapacity";
    int requested = Integer.parseInt(call.param(total));
    int granted = Math.min(requested, Math.max(0, spotCapacity.getAndUpdate(left -> Math.max(0, left - requested))));
    if (granted == 0) {
      return Fault.capacity("InsufficientInstanceCapacity").answer(call);
    }
    if (granted == requested) {
      return forward(call, exchange);
    }
    Map<String, String> params = new java.util.LinkedHashMap<>(call.params());
    params.put(total, Integer.toString(granted));
    params.remove("TargetCapacitySpecification.SpotTargetCapacity");
    String form = params.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(java.util.stream.Collectors.joining("&"));
    Call smaller = new Call(call.service(), call.action(), call.method(), call.path(), call.query(),
        call.headers(), form.getBytes(java.nio.charset.StandardCharsets.UTF_8), params);
    Response response = forward(smaller, exchange);
    if (response.status() != 200) {
      return response;
    }
    String xml = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    String items = Fault.errorItems(call, "InsufficientInstanceCapacity");
    if (xml.contains("<errorSet>")) {
      xml = xml.replaceFirst("<errorSet>", "<errorSet>" + java.util.regex.Matcher.quoteReplacement(items));
    } else if (xml.contains("<errorSet/>")) {
      xml = xml.replace("<errorSet/>", "<errorSet>" + items + "</errorSet>");
    } else {
      xml = xml.replace("</CreateFleetResponse>", "<errorSet>" + items + "</errorSet></CreateFleetResponse>");
    }
    return new Response(200, response.headers(), xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String encode(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Response forward(Call call, HttpExchange exchange) throws IOException {
    String rawPath = exchange.getRequestURI().getRawPath();
    String rawQuery = exchange.getRequestURI().getRawQuery();
    URI uri = URI.create(target.toString().replaceAll("/$", "") + rawPath
        + (rawQuery == null ? "" : "?" + rawQuery));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(60))
        .method(call.method(), call.body().length == 0 && !"POST".equals(call.method())
            && !"PUT".equals(call.method())
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(call.body()));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(value -> request.header(name, value));
      }
    });
    try {
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      response.headers().map().forEach((name, values) -> {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.equals("transfer-encoding") && !lower.equals("connection") && !lower.startsWith(":")) {
          headers.put(name, String.join(",", values));
        }
      });
      return new Response(response.statusCode(), headers, response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while forwarding", e);
    }
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    String upstreamLength = null;
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      if (header.getKey().equalsIgnoreCase("content-length")) {
        upstreamLength = header.getValue();
      } else {
        exchange.getResponseHeaders().add(header.getKey(), header.getValue());
      }
    }
    if (head || response.status() == 204 || response.status() == 304) {
      // No body, but HEAD's Content-Length is the object's size, which S3 clients read.
      if (head && upstreamLength != null) {
        exchange.getResponseHeaders().set("Content-Length", upstreamLength);
      }
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    byte[] body = response.body();
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
