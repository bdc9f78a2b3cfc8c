package dev.spotrunner.testkit.github;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The App's webhook delivery log of a {@link GitHubStandIn}, as GitHub keeps it: every attempt the
 * webhook answered (failures included) is {@link #record recorded}; {@code GET /app/hook/deliveries}
 * lists them newest first with a cursor in the {@code Link} header, and {@code POST
 * /app/hook/deliveries/{id}/attempts} redelivers one through the {@link Target} (the local webhook)
 * and records that attempt, {@code redelivery: true}, with the same guid. App JWT only; the
 * stand-in's rate limits and injected faults apply, plus {@link #tooManyRequestsNext} for a 429.
 */
public final class StandInDeliveries {
  private static final Map<GitHubStandIn, StandInDeliveries> ALL = new WeakHashMap<>();
  private static final Pattern ATTEMPTS = Pattern.compile("/app/hook/deliveries/(\\d+)/attempts");
  private static final int DEFAULT_PER_PAGE = 30;

  /** Sends a payload to the webhook as GitHub would and gives the HTTP status (0: no answer). */
  @FunctionalInterface
  public interface Target {
    int deliver(String guid, String event, String body);
  }

  /** Authenticates the App caller; null when it answered 401 already (StandInRoutes.appCaller). */
  @FunctionalInterface
  interface Caller {
    String of(HttpExchange exchange) throws IOException;
  }

  /** One attempt, with the payload it carried so it can be sent again. */
  public record Delivery(long id, String guid, Instant deliveredAt, boolean redelivery,
      int statusCode, String event, String action, String body) {}

  private final GitHubStandIn github;
  private final List<Delivery> deliveries = new ArrayList<>();
  private Target target = (guid, event, body) -> 0;
  private int tooManyNext;
  private long retryAfterSeconds;
  private long nextId = 90_000_000L;

  private StandInDeliveries(GitHubStandIn github) {
    this.github = github;
  }

  /** The delivery log of this stand-in. */
  public static StandInDeliveries of(GitHubStandIn github) {
    synchronized (ALL) {
      return ALL.computeIfAbsent(github, StandInDeliveries::new);
    }
  }

  /** Where redeliveries go; without one they get no answer (status 0). */
  public synchronized void target(Target target) {
    this.target = target;
  }

  /** Records an attempt the webhook answered with {@code statusCode}; returns it. */
  public synchronized Delivery record(String guid, String event, String action, String body,
      int statusCode) {
    return add(guid, event, action, body, statusCode, false);
  }

  /** Every attempt, oldest first. */
  public synchronized List<Delivery> all() {
    return List.copyOf(deliveries);
  }

  /** The attempts of one guid, oldest first. */
  public synchronized List<Delivery> attempts(String guid) {
    return deliveries.stream().filter(d -> d.guid().equals(guid)).toList();
  }

  /** The next {@code count} requests to these endpoints are answered 429 with retry-after. */
  public synchronized void tooManyRequestsNext(int count, long retryAfterSeconds) {
    this.tooManyNext = count;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  private Delivery add(String guid, String event, String action, String body, int status,
      boolean redelivery) {
    Delivery delivery = new Delivery(nextId++, guid, github.clock.instant(), redelivery, status,
        event, action, body);
    deliveries.add(delivery);
    return delivery;
  }

  /** Answers the request when it is for these endpoints; false leaves it to the other routes. */
  static boolean answer(GitHubStandIn github, HttpExchange exchange, String path, String apiRoot,
      Caller caller) throws IOException {
    if (!path.startsWith("/app/hook/deliveries")) {
      return false;
    }
    StandInDeliveries log = of(github);
    String method = exchange.getRequestMethod();
    Matcher attempts = ATTEMPTS.matcher(path);
    boolean list = method.equals("GET") && path.equals("/app/hook/deliveries");
    boolean redeliver = method.equals("POST") && attempts.matches();
    String endpoint = list ? "list-app-hook-deliveries" : "redeliver-app-hook-delivery";
    if (!list && !redeliver) {
      github.limits.count("unknown", "anonymous");
      StandInRoutes.message(exchange, 404, "Not Found");
      return true;
    }
    String who = caller.of(exchange);
    github.limits.count(endpoint, who == null ? "refused" : who);
    if (who == null) {
      return true;
    }
    if (log.takeTooMany(exchange)) {
      return true;
    }
    StandInLimits.Verdict verdict = github.limits.admit(who, method);
    if (verdict != null) {
      if (verdict.retryAfterSeconds() > 0) {
        exchange.getResponseHeaders().set("retry-after", String.valueOf(verdict.retryAfterSeconds()));
      }
      StandInRoutes.message(exchange, verdict.status(), verdict.message());
      return true;
    }
    if (list) {
      log.list(exchange, apiRoot);
    } else {
      log.redeliver(exchange, Long.parseLong(attempts.group(1)));
    }
    return true;
  }

  private boolean takeTooMany(HttpExchange exchange) throws IOException {
    synchronized (this) {
      if (tooManyNext <= 0) {
        return false;
      }
      tooManyNext--;
    }
    exchange.getResponseHeaders().set("retry-after", String.valueOf(retryAfterSeconds));
    StandInRoutes.message(exchange, 429, "API rate limit exceeded: you have exceeded a secondary rate limit");
    return true;
  }

  private void list(HttpExchange exchange, String apiRoot) throws IOException {
    int perPage = Math.min(100, Math.max(1, parse(param(exchange, "per_page"), DEFAULT_PER_PAGE)));
    String cursor = param(exchange, "cursor");
    long before = cursor == null ? Long.MAX_VALUE : Long.parseLong(cursor);
    List<Delivery> page;
    boolean more;
    synchronized (this) {
      List<Delivery> older = deliveries.stream().filter(d -> d.id() < before)
          .sorted(Comparator.comparingLong(Delivery::id).reversed()).toList();
      page = older.subList(0, Math.min(perPage, older.size()));
      more = older.size() > perPage;
    }
    ArrayNode body = Json.MAPPER.createArrayNode();
    for (Delivery d : page) {
      ObjectNode node = body.addObject()
          .put("id", d.id())
          .put("guid", d.guid())
          .put("delivered_at", StandInRoutes.time(d.deliveredAt()))
          .put("redelivery", d.redelivery())
          .put("duration", 0.05)
          .put("status", d.statusCode() >= 200 && d.statusCode() < 300 ? "OK"
              : d.statusCode() == 0 ? "timed out" : "Invalid HTTP Response: " + d.statusCode())
          .put("status_code", d.statusCode())
          .put("event", d.event())
          .put("installation_id", (Long) null)
          .put("repository_id", (Long) null)
          .putNull("throttled_at");
      if (d.action() == null) {
        node.putNull("action");
      } else {
        node.put("action", d.action());
      }
    }
    if (more) {
      exchange.getResponseHeaders().set("Link", "<" + apiRoot + "/app/hook/deliveries?per_page="
          + perPage + "&cursor=" + page.getLast().id() + ">; rel=\"next\"");
    }
    StandInRoutes.json(exchange, 200, body);
  }

  private void redeliver(HttpExchange exchange, long id) throws IOException {
    Optional<Delivery> original;
    Target to;
    synchronized (this) {
      original = deliveries.stream().filter(d -> d.id() == id).findFirst();
      to = target;
    }
    if (original.isEmpty()) {
      StandInRoutes.message(exchange, 404, "Not Found");
      return;
    }
    Delivery d = original.get();
    // GitHub answers 202 and delivers soon after; delivering first keeps tests deterministic
    int status = to.deliver(d.guid(), d.event(), d.body());
    synchronized (this) {
      add(d.guid(), d.event(), d.action(), d.body(), status, true);
    }
    StandInRoutes.json(exchange, 202, Json.MAPPER.createObjectNode());
  }

  /** One query parameter's raw value, or null. */
  private static String param(HttpExchange exchange, String name) {
    String raw = exchange.getRequestURI().getRawQuery();
    Matcher m = Pattern.compile("(?:^|&)" + Pattern.quote(name) + "=([^&]*)")
        .matcher(raw == null ? "" : raw);
    return m.find() ? m.group(1) : null;
  }

  private static int parse(String text, int fallback) {
    try {
      return text == null ? fallback : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
