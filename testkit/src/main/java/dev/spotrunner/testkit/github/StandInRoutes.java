package dev.spotrunner.testkit.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.spotrunner.common.json.Json;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SignatureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The GitHub REST endpoints of the stand-in, answered the way GitHub answers them. */
final class StandInRoutes implements HttpHandler {
  private static final String DOCS = "https://docs.github.com/rest";
  private static final String OWNER = "(orgs/[^/]+|repos/[^/]+/[^/]+)";

  private enum Auth { APP, INSTALLATION, NONE }

  @FunctionalInterface
  private interface Handler {
    void handle(Request request) throws IOException;
  }

  private record Route(String method, Pattern path, String endpoint, Auth auth, Handler handler) {}

  /** One request being answered; {@code apiRoot} is how the client addressed the API. */
  private record Request(HttpExchange exchange, Matcher path, String apiRoot, String caller) {
    String group(int n) {
      return path.group(n);
    }

    Map<String, String> query() {
      Map<String, String> query = new HashMap<>();
      String raw = exchange.getRequestURI().getRawQuery();
      if (raw != null) {
        for (String pair : raw.split("&")) {
          int eq = pair.indexOf('=');
          if (eq > 0) {
            query.put(pair.substring(0, eq), pair.substring(eq + 1));
          }
        }
      }
      return query;
    }
  }

  private final GitHubStandIn github;
  private final StandInAdmin admin;
  private final List<Route> routes = new ArrayList<>();

  StandInRoutes(GitHubStandIn github, StandInAdmin admin) {
    this.github = github;
    this.admin = admin;
    route("GET", "/orgs/([^/]+)/installation", "get-org-installation", Auth.APP,
        r -> installation(r, r.group(1)));
    route("GET", "/repos/([^/]+)/[^/]+/installation", "get-repo-installation", Auth.APP,
        r -> installation(r, r.group(1)));
    route("GET", "/users/([^/]+)/installation", "get-user-installation", Auth.APP,
        r -> installation(r, r.group(1)));
    route("POST", "/app/installations/(\\d+)/access_tokens", "create-installation-token",
        Auth.APP, this::accessToken);
    route("GET", "/repos/([^/]+)/([^/]+)/actions/jobs/(\\d+)", "get-job", Auth.INSTALLATION,
        this::job);
    route("GET", "/repos/([^/]+)/([^/]+)/actions/runs", "list-workflow-runs",
        Auth.INSTALLATION, this::workflowRuns);
    route("GET", "/repos/([^/]+)/([^/]+)/actions/runs/(\\d+)/jobs", "list-jobs-for-run",
        Auth.INSTALLATION, this::runJobs);
    route("POST", "/" + OWNER + "/actions/runners/registration-token", "registration-token",
        Auth.INSTALLATION, this::registrationToken);
    route("POST", "/" + OWNER + "/actions/runners/generate-jitconfig", "generate-jitconfig",
        Auth.INSTALLATION, this::jitConfig);
    route("GET", "/" + OWNER + "/actions/runners", "list-runners", Auth.INSTALLATION,
        this::listRunners);
    route("GET", "/" + OWNER + "/actions/runners/(\\d+)", "get-runner", Auth.INSTALLATION,
        this::getRunner);
    route("DELETE", "/" + OWNER + "/actions/runners/(\\d+)", "delete-runner", Auth.INSTALLATION,
        this::deleteRunner);
    route("GET", "/orgs/([^/]+)/actions/runner-groups", "list-runner-groups", Auth.INSTALLATION,
        this::runnerGroups);
    route("GET", "/repos/actions/runner/releases/latest", "get-latest-release", Auth.NONE,
        r -> release(r, github.latestRelease()));
    route("GET", "/repos/actions/runner/releases/tags/v([^/]+)", "get-release-by-tag", Auth.NONE,
        r -> release(r, github.release(r.group(1))));
    route("GET", "/actions/runner/releases/download/v([^/]+)/([^/]+)", "download-asset",
        Auth.NONE, this::downloadRedirect);
    route("GET", "/_assets/(\\d+)", "asset-content", Auth.NONE, this::assetContent);
  }

  private void route(String method, String path, String endpoint, Auth auth, Handler handler) {
    routes.add(new Route(method, Pattern.compile(path), endpoint, auth, handler));
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (path.startsWith("/_standin/")) {
        admin.handle(exchange);
        return;
      }
      String prefix = "";
      if (path.startsWith("/api/v3/")) {
        prefix = "/api/v3";
        path = path.substring(prefix.length());
      }
      String apiRoot = "http://" + exchange.getRequestHeaders().getFirst("Host") + prefix;
      if (StandInDeliveries.answer(github, exchange, path, apiRoot, this::appCaller)) { return; }
      if (StandInReruns.answer(github, exchange, path, this::installationCaller)) { return; }
      String method = exchange.getRequestMethod();
      for (Route route : routes) {
        Matcher matcher = route.path().matcher(path);
        if (matcher.matches() && route.method().equals(method)) {
          dispatch(route, exchange, matcher, apiRoot);
          return;
        }
      }
      github.limits.count("unknown", "anonymous");
      message(exchange, 404, "Not Found");
    } catch (RuntimeException e) {
      message(exchange, 500, "stand-in failure: " + e);
    }
  }

  private void dispatch(Route route, HttpExchange exchange, Matcher matcher, String apiRoot)
      throws IOException {
    String caller = switch (route.auth()) {
      case APP -> appCaller(exchange);
      case INSTALLATION -> installationCaller(exchange, ownerLogin(route, matcher));
      case NONE -> "anonymous";
    };
    github.limits.count(route.endpoint(), caller == null ? "refused" : caller);
    if (caller == null) {
      return; // answered 401/403 already
    }
    sleep(github.limits.latency());
    if (route.auth() != Auth.NONE) {
      String client = route.auth() == Auth.INSTALLATION
          ? Optional.ofNullable(github.tokenClient(token(exchange))).orElse(caller) : caller;
      StandInLimits.Verdict verdict = github.limits.admit(caller, client, route.endpoint(),
          exchange.getRequestMethod());
      rateHeaders(exchange, caller);
      if (verdict != null) {
        if (verdict.retryAfterSeconds() > 0) {
          exchange.getResponseHeaders().set("retry-after", String.valueOf(verdict.retryAfterSeconds()));
        }
        message(exchange, verdict.status(), verdict.message());
        return;
      }
    }
    route.handler().handle(new Request(exchange, matcher, apiRoot, caller));
  }

  private static String ownerLogin(Route route, Matcher matcher) {
    String first = matcher.group(1);
    return first.startsWith("orgs/") || first.startsWith("repos/") ? first.split("/")[1] : first;
  }

  // ---- authentication

  private String appCaller(HttpExchange exchange) throws IOException {
    String jwt = bearer(exchange);
    if (jwt == null) {
      message(exchange, 401, "A JSON web token could not be decoded");
      return null;
    }
    Instant now = github.clock.instant();
    try {
      StandInApp app = null;
      Claims claims = null;
      for (StandInApp candidate : github.apps()) {
        claims = claims(candidate, jwt);
        if (claims != null) {
          app = candidate;
          break;
        }
      }
      if (claims == null) {
        // signed by none of the Apps' keys, e.g. one deleted in a rotation
        message(exchange, 401, "A JSON web token could not be decoded");
        return null;
      }
      if (!String.valueOf(app.appId()).equals(claims.getIssuer())) {
        message(exchange, 401, "'Issuer' claim ('iss') must be an Integer");
        return null;
      }
      if (claims.getExpiration() == null
          || claims.getExpiration().toInstant().isAfter(now.plusSeconds(600))) {
        message(exchange, 401, "'Expiration time' claim ('exp') is too far in the future");
        return null;
      }
      if (claims.getIssuedAt() == null
          || claims.getIssuedAt().toInstant().isAfter(now.plusSeconds(60))) {
        message(exchange, 401, "'Issued at' claim ('iat') must be an Integer representing the"
            + " time that the assertion was issued");
        return null;
      }
      return app.caller();
    } catch (ExpiredJwtException e) {
      message(exchange, 401, "'Expiration time' claim ('exp') must be a numeric value"
          + " representing the future time at which the assertion expires");
      return null;
    } catch (JwtException | IllegalArgumentException e) {
      message(exchange, 401, "A JSON web token could not be decoded");
      return null;
    }
  }

  /** The JWT's claims if one of the App's current keys signed it, else null. */
  private Claims claims(StandInApp app, String jwt) {
    for (AppKeys key : app.acceptedKeys()) {
      try {
        return Jwts.parser()
            .verifyWith(key.publicKey())
            .clock(() -> Date.from(github.clock.instant()))
            .build().parseSignedClaims(jwt).getPayload();
      } catch (SignatureException e) {
        // another key may have signed it
      }
    }
    return null;
  }

  private static String token(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    return header == null ? null
        : header.startsWith("Bearer ") ? header.substring(7).trim()
        : header.startsWith("token ") ? header.substring(6).trim() : null;
  }

  private String installationCaller(HttpExchange exchange, String ownerLogin) throws IOException {
    String token = token(exchange);
    Optional<GitHubStandIn.Token> found = token == null ? Optional.empty() : github.token(token);
    if (found.isEmpty()) {
      message(exchange, 401, "Bad credentials");
      return null;
    }
    long installation = found.get().installationId();
    if (!github.installationLogin(installation).map(ownerLogin::equals).orElse(false)) {
      message(exchange, 403, "Resource not accessible by integration");
      return null;
    }
    return "installation:" + installation;
  }

  private static String bearer(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    return header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
  }

  private void rateHeaders(HttpExchange exchange, String caller) {
    Instant now = github.clock.instant();
    long reset = now.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).getEpochSecond();
    int used = github.limits.usedThisHour(caller);
    int limit = github.limits.primaryPerHour();
    var headers = exchange.getResponseHeaders();
    headers.set("x-ratelimit-limit", String.valueOf(limit));
    headers.set("x-ratelimit-remaining", String.valueOf(Math.max(0, limit - used)));
    headers.set("x-ratelimit-used", String.valueOf(used));
    headers.set("x-ratelimit-reset", String.valueOf(reset));
    headers.set("x-ratelimit-resource", "core");
  }

  // ---- app endpoints

  /** The App whose JWT authenticated the request. */
  private StandInApp callingApp(Request r) {
    return github.apps().stream().filter(a -> a.caller().equals(r.caller())).findFirst()
        .orElseThrow();
  }

  private void installation(Request r, String login) throws IOException {
    StandInApp app = callingApp(r);
    Optional<Long> id = app.installation(login);
    if (id.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    ObjectNode body = Json.MAPPER.createObjectNode().put("id", id.get());
    body.putObject("account").put("login", login).put("id", id.get() + 1).put("type",
        "Organization");
    body.put("app_id", app.appId()).put("target_type", "Organization")
        .put("repository_selection", "all")
        .put("access_tokens_url", r.apiRoot() + "/app/installations/" + id.get() + "/access_tokens");
    body.putObject("permissions").put("organization_self_hosted_runners", "write")
        .put("administration", "write").put("actions", "read");
    json(r.exchange(), 200, body);
  }

  private void accessToken(Request r) throws IOException {
    long id = Long.parseLong(r.group(1));
    if (callingApp(r).installationLogin(id).isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    Map.Entry<String, GitHubStandIn.Token> token = github.issueToken(id);
    ObjectNode body = Json.MAPPER.createObjectNode().put("token", token.getKey())
        .put("expires_at", time(token.getValue().expiresAt()))
        .put("repository_selection", "all");
    body.putObject("permissions").put("organization_self_hosted_runners", "write");
    json(r.exchange(), 201, body);
  }

  // ---- jobs

  private void job(Request r) throws IOException {
    Optional<StandInJob> job = github.job(Long.parseLong(r.group(3)))
        .filter(j -> j.owner().equals(r.group(1)) && j.repo().equals(r.group(2)));
    if (job.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    StandInJob j = job.get();
    ObjectNode body = Json.MAPPER.createObjectNode().put("id", j.id()).put("run_id", j.runId())
        .put("status", j.status()).put("conclusion", j.conclusion())
        .put("name", "build").put("workflow_name", "CI")
        .put("created_at", time(j.createdAt())).put("started_at", time(j.startedAt()))
        .put("completed_at", time(j.completedAt()))
        .put("html_url", "https://github.com/" + j.owner() + "/" + j.repo() + "/actions/runs/"
            + j.runId() + "/job/" + j.id());
    if (j.runnerId() == null) {
      body.putNull("runner_id").putNull("runner_name");
    } else {
      body.put("runner_id", j.runnerId()).put("runner_name", j.runnerName());
    }
    j.labels().forEach(body.putArray("labels")::add);
    json(r.exchange(), 200, body);
  }

  // ---- workflow runs (what a trace is read from)

  private void workflowRuns(Request r) throws IOException {
    Map<String, String> query = r.query();
    String created = query.get("created") == null ? null
        : URLDecoder.decode(query.get("created"), StandardCharsets.UTF_8);
    List<StandInWorkflowRuns.Run> runs = github.workflowRuns.of(r.group(1), r.group(2)).stream()
        .filter(run -> StandInWorkflowRuns.createdMatches(run, created)).toList();
    page(r, StandInWorkflowRuns.page(runs, "workflow_runs",
        run -> StandInWorkflowRuns.runJson(run, github.jobsOfRun(run.id())), query,
        r.apiRoot() + r.exchange().getRequestURI().getPath().replaceFirst("^/api/v3", "")));
  }

  private void runJobs(Request r) throws IOException {
    StandInWorkflowRuns.Run run = github.workflowRuns.run(Long.parseLong(r.group(3)));
    if (run == null || !run.owner().equals(r.group(1)) || !run.repo().equals(r.group(2))) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    page(r, StandInWorkflowRuns.page(github.jobsOfRun(run.id()), "jobs",
        github.workflowRuns::jobJson, r.query(),
        r.apiRoot() + r.exchange().getRequestURI().getPath().replaceFirst("^/api/v3", "")));
  }

  private static void page(Request r, StandInWorkflowRuns.Page page) throws IOException {
    if (page.link() != null) {
      r.exchange().getResponseHeaders().set("Link", page.link());
    }
    json(r.exchange(), 200, page.body());
  }

  // ---- runners

  private void registrationToken(Request r) throws IOException {
    Instant expiresAt = github.clock.instant().plus(1, ChronoUnit.HOURS);
    String token = github.createRegistrationToken(r.group(1), expiresAt);
    json(r.exchange(), 201, Json.MAPPER.createObjectNode().put("token", token)
        .put("expires_at", time(expiresAt)));
  }

  private void jitConfig(Request r) throws IOException {
    JsonNode request;
    try {
      request = Json.MAPPER.readTree(r.exchange().getRequestBody());
    } catch (IOException e) {
      message(r.exchange(), 400, "Problems parsing JSON");
      return;
    }
    String name = request.path("name").asText("");
    List<String> labels = new ArrayList<>();
    request.path("labels").forEach(label -> labels.add(label.asText()));
    if (name.isEmpty() || !request.has("runner_group_id") || labels.isEmpty()
        || labels.size() > 100) {
      message(r.exchange(), 422, "Invalid request.\n\n\"name\", \"runner_group_id\" and 1-100"
          + " \"labels\" are required.");
      return;
    }
    long groupId = request.path("runner_group_id").asLong();
    String ownerPath = r.group(1);
    boolean groupExists = ownerPath.startsWith("orgs/")
        ? github.runnerGroups(ownerPath.substring(5)).containsKey(groupId)
        : groupId == GitHubStandIn.DEFAULT_GROUP_ID;
    if (!groupExists) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    var created = github.createJitRunner(ownerPath, name, labels, groupId);
    if (created.isEmpty()) {
      message(r.exchange(), 409, "Already exists - A runner with the name " + name
          + " already exists.");
      return;
    }
    LostAnswer lost = github.limits.takeLost("generate-jitconfig");
    if (lost == LostAnswer.CONNECTION_CLOSED) {
      r.exchange().close(); // before any header: the client reads end of stream
      return;
    }
    if (lost == LostAnswer.BAD_GATEWAY) {
      message(r.exchange(), 502, "Server Error");
      return;
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("runner", runner(created.get().getKey()));
    body.put("encoded_jit_config", created.get().getValue());
    json(r.exchange(), 201, body);
  }

  private void listRunners(Request r) throws IOException {
    String name = r.query().get("name");
    String wanted = name == null ? null : URLDecoder.decode(name, StandardCharsets.UTF_8);
    List<StandInRunner> all = github.runners(r.group(1)).stream()
        .filter(runner -> wanted == null || runner.name().equals(wanted)).toList();
    ArrayNode page = paginate(r, r.group(1) + "/actions/runners", all.size(), (from, to) -> {
      ArrayNode items = Json.MAPPER.createArrayNode();
      all.subList(from, to).forEach(runner -> items.add(runner(runner)));
      return items;
    });
    ObjectNode body = Json.MAPPER.createObjectNode().put("total_count", all.size());
    body.set("runners", page);
    json(r.exchange(), 200, body);
  }

  private void getRunner(Request r) throws IOException {
    Optional<StandInRunner> runner = github.runner(Long.parseLong(r.group(2)))
        .filter(found -> found.ownerPath().equals(r.group(1)));
    if (runner.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    json(r.exchange(), 200, runner(runner.get()));
  }

  private void deleteRunner(Request r) throws IOException {
    Optional<StandInRunner> runner = github.runner(Long.parseLong(r.group(2)))
        .filter(found -> found.ownerPath().equals(r.group(1)));
    if (runner.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    if (runner.get().busy()) {
      message(r.exchange(), 422, "Bad request - Runner \"" + runner.get().name()
          + "\" is still running a job\"");
      return;
    }
    github.removeRunner(runner.get().id());
    r.exchange().sendResponseHeaders(204, -1);
  }

  private void runnerGroups(Request r) throws IOException {
    List<Map.Entry<Long, String>> all = new ArrayList<>(github.runnerGroups(r.group(1)).entrySet());
    ArrayNode page = paginate(r, "orgs/" + r.group(1) + "/actions/runner-groups", all.size(),
        (from, to) -> {
          ArrayNode items = Json.MAPPER.createArrayNode();
          for (Map.Entry<Long, String> group : all.subList(from, to)) {
            items.addObject().put("id", group.getKey()).put("name", group.getValue())
                .put("visibility", "all").put("default", group.getKey() == 1)
                .put("allows_public_repositories", false).put("inherited", false);
          }
          return items;
        });
    ObjectNode body = Json.MAPPER.createObjectNode().put("total_count", all.size());
    body.set("runner_groups", page);
    json(r.exchange(), 200, body);
  }

  private ObjectNode runner(StandInRunner runner) {
    ObjectNode json = Json.MAPPER.createObjectNode().put("id", runner.id())
        .put("name", runner.name()).put("os", "linux").put("status", runner.status())
        .put("busy", runner.busy()).put("ephemeral", runner.ephemeral())
        .put("runner_group_id", runner.groupId());
    ArrayNode labels = json.putArray("labels");
    int n = 0;
    for (String label : runner.labels()) {
      labels.addObject().put("id", ++n).put("name", label).put("type", "custom");
    }
    return json;
  }

  /** GitHub's pagination: per_page (default 30, max 100), page, and a Link header. */
  private ArrayNode paginate(Request r, String path, int total,
      java.util.function.BiFunction<Integer, Integer, ArrayNode> slice) {
    Map<String, String> query = r.query();
    int perPage = Math.min(100, Math.max(1, parse(query.get("per_page"), 30)));
    int page = Math.max(1, parse(query.get("page"), 1));
    int last = Math.max(1, (total + perPage - 1) / perPage);
    int from = Math.min(total, (page - 1) * perPage);
    int to = Math.min(total, from + perPage);
    List<String> links = new ArrayList<>();
    String base = r.apiRoot() + "/" + path + "?per_page=" + perPage + "&page=";
    if (page > 1) {
      links.add("<" + base + (page - 1) + ">; rel=\"prev\"");
      links.add("<" + base + 1 + ">; rel=\"first\"");
    }
    if (page < last) {
      links.add("<" + base + (page + 1) + ">; rel=\"next\"");
      links.add("<" + base + last + ">; rel=\"last\"");
    }
    if (!links.isEmpty()) {
      r.exchange().getResponseHeaders().set("Link", String.join(", ", links));
    }
    return slice.apply(from, to);
  }

  // ---- releases

  private void release(Request r, Optional<GitHubStandIn.Release> found) throws IOException {
    if (found.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    GitHubStandIn.Release release = found.get();
    String downloadRoot = r.apiRoot().replace("/api/v3", "");
    ObjectNode body = Json.MAPPER.createObjectNode().put("id", release.id())
        .put("tag_name", "v" + release.version()).put("name", "v" + release.version())
        .put("draft", false).put("prerelease", false)
        .put("published_at", time(release.publishedAt())).put("body", release.body())
        .put("html_url", "https://github.com/actions/runner/releases/tag/v" + release.version());
    ArrayNode assets = body.putArray("assets");
    for (int i = 0; i < release.assets().size(); i++) {
      ReleaseAsset asset = release.assets().get(i);
      long id = release.assetIds().get(i);
      assets.addObject().put("id", id).put("name", asset.name()).put("size", asset.size())
          .put("state", "uploaded")
          .put("content_type", asset.name().endsWith(".zip") ? "application/zip"
              : "application/gzip")
          .put("digest", "sha256:" + release.sha256().get(i))
          .put("url", r.apiRoot() + "/repos/actions/runner/releases/assets/" + id)
          .put("browser_download_url", downloadRoot + "/actions/runner/releases/download/v"
              + release.version() + "/" + asset.name());
    }
    json(r.exchange(), 200, body);
  }

  /** github.com answers a download with a redirect to its object storage; so does the stand-in. */
  private void downloadRedirect(Request r) throws IOException {
    Optional<Long> id = github.assetId(r.group(1), r.group(2));
    if (id.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    String root = r.apiRoot().replace("/api/v3", "");
    r.exchange().getResponseHeaders().set("Location", root + "/_assets/" + id.get());
    r.exchange().sendResponseHeaders(302, -1);
  }

  private void assetContent(Request r) throws IOException {
    Optional<ReleaseAsset> asset = github.asset(Long.parseLong(r.group(1)));
    if (asset.isEmpty()) {
      message(r.exchange(), 404, "Not Found");
      return;
    }
    r.exchange().getResponseHeaders().set("Content-Type", "application/octet-stream");
    r.exchange().sendResponseHeaders(200, asset.get().size());
    try (InputStream in = asset.get().content().get();
        OutputStream out = r.exchange().getResponseBody()) {
      in.transferTo(out);
    }
  }

  // ---- answers

  static void message(HttpExchange exchange, int status, String message) throws IOException {
    json(exchange, status, Json.MAPPER.createObjectNode().put("message", message)
        .put("documentation_url", DOCS).put("status", String.valueOf(status)));
  }

  static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.getResponseHeaders().set("X-GitHub-Api-Version-Selected", "2022-11-28");
    exchange.getResponseHeaders().set("X-GitHub-Request-Id",
        GitHubStandIn.randomAlphanumeric(16));
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  static String time(Instant instant) {
    return instant == null ? null
        : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
            instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
  }

  private static int parse(String text, int fallback) {
    try {
      return text == null ? fallback : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static void sleep(java.time.Duration duration) {
    if (!duration.isZero()) {
      try {
        Thread.sleep(duration.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
