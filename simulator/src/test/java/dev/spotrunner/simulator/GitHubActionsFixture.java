package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test-only stand-in for GitHub's Actions API routes the trace command reads (the shared
 * GitHub stand-in has no workflow-run routes): {@code GET /repos/{o}/{r}/actions/runs} and
 * {@code /runs/{id}/jobs}, with GitHub's shapes, {@code Link} pagination in pages of
 * {@link #PAGE} (small, so a few runs make several pages), a bearer token check, and on request a
 * secondary-limit 403 with {@code retry-after} or a spent primary limit.
 */
final class GitHubActionsFixture implements AutoCloseable {
  static final int PAGE = 2;
  private static final Pattern RUNS = Pattern.compile("/repos/([^/]+/[^/]+)/actions/runs");
  private static final Pattern JOBS = Pattern.compile("/repos/([^/]+/[^/]+)/actions/runs/(\\d+)/jobs");

  private final HttpServer server;
  private final String token;
  private final Clock clock;
  private final Map<Long, ObjectNode> runs = new LinkedHashMap<>();
  private final Map<Long, List<ObjectNode>> jobs = new LinkedHashMap<>();
  private final List<String> paths = new ArrayList<>();
  private int secondaryLimitAtRequest = -1;
  private int primaryLimitSpentAtRequest = -1;
  private int requests;

  GitHubActionsFixture(String token, Clock clock) throws IOException {
    this.token = token;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI api() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  synchronized void run(long id, String status, Instant created) {
    ObjectNode run = Json.MAPPER.createObjectNode().put("id", id).put("status", status)
        .put("created_at", created.toString()).put("run_attempt", 1);
    runs.put(id, run);
    jobs.putIfAbsent(id, new ArrayList<>());
  }

  synchronized void job(long runId, long id, String name, Instant created, Instant started,
      Instant completed, String... labels) {
    ObjectNode job = Json.MAPPER.createObjectNode().put("id", id).put("run_id", runId)
        .put("name", name).put("status", completed == null ? "in_progress" : "completed")
        .put("conclusion", completed == null ? null : "success")
        .put("created_at", created.toString())
        .put("started_at", started == null ? null : started.toString())
        .put("completed_at", completed == null ? null : completed.toString());
    ArrayNode l = job.putArray("labels");
    for (String label : labels) {
      l.add(label);
    }
    jobs.get(runId).add(job);
  }

  /** The n-th request (1-based) is answered 403 secondary limit, retry-after 7 s. */
  synchronized void secondaryLimitAt(int request) {
    this.secondaryLimitAtRequest = request;
  }

  /** The n-th request's answer says the primary limit is spent until 30 s from now. */
  synchronized void primaryLimitSpentAt(int request) {
    this.primaryLimitSpentAtRequest = request;
  }

  synchronized List<String> paths() {
    return List.copyOf(paths);
  }

  private synchronized void handle(HttpExchange exchange) throws IOException {
    requests++;
    String path = exchange.getRequestURI().getPath();
    paths.add(path);
    if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      send(exchange, 401, "{\"message\":\"Bad credentials\"}");
      return;
    }
    if (requests == secondaryLimitAtRequest) {
      exchange.getResponseHeaders().add("retry-after", "7");
      send(exchange, 403, "{\"message\":\"You have exceeded a secondary rate limit.\"}");
      return;
    }
    if (requests == primaryLimitSpentAtRequest) {
      exchange.getResponseHeaders().add("x-ratelimit-remaining", "0");
      exchange.getResponseHeaders().add("x-ratelimit-reset",
          Long.toString(clock.instant().getEpochSecond() + 30));
    } else {
      exchange.getResponseHeaders().add("x-ratelimit-remaining", "4000");
    }
    int page = page(exchange.getRequestURI());
    Matcher jobsPath = JOBS.matcher(path);
    Matcher runsPath = RUNS.matcher(path);
    ObjectNode body = Json.MAPPER.createObjectNode();
    List<ObjectNode> items;
    String field;
    if (jobsPath.matches()) {
      items = jobs.getOrDefault(Long.parseLong(jobsPath.group(2)), List.of());
      field = "jobs";
    } else if (runsPath.matches()) {
      items = new ArrayList<>(runs.values());
      field = "workflow_runs";
    } else {
      send(exchange, 404, "{\"message\":\"Not Found\"}");
      return;
    }
    body.put("total_count", items.size());
    ArrayNode array = body.putArray(field);
    items.stream().skip((long) (page - 1) * PAGE).limit(PAGE).forEach(array::add);
    if (page * PAGE < items.size()) {
      String query = exchange.getRequestURI().getRawQuery();
      String next = api() + path + "?" + (query == null ? "" : query.replaceAll("&?page=\\d+", "")
          + "&") + "page=" + (page + 1);
      exchange.getResponseHeaders().add("Link", "<" + next + ">; rel=\"next\"");
    }
    send(exchange, 200, body.toString());
  }

  private static int page(URI uri) {
    String query = uri.getRawQuery();
    if (query != null) {
      Matcher m = Pattern.compile("(?:^|&)page=(\\d+)").matcher(query);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    return 1;
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
