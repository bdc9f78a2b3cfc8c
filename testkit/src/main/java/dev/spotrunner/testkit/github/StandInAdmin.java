package dev.spotrunner.testkit.github;

import static dev.spotrunner.testkit.github.StandInRoutes.json;
import static dev.spotrunner.testkit.github.StandInRoutes.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /_standin/...}: the stand-in's Java API over HTTP, for the local stack's other processes.
 * Requests and answers are JSON; see docs/github-standin.md.
 */
final class StandInAdmin {
  private static final Pattern JOB = Pattern.compile("/_standin/jobs/(\\d+)");
  private static final Pattern RUNNER = Pattern.compile("/_standin/runners/(\\d+)");

  private final GitHubStandIn github;

  StandInAdmin(GitHubStandIn github) {
    this.github = github;
  }

  void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    JsonNode body = "GET".equals(method) ? Json.MAPPER.createObjectNode() : body(exchange);
    if (body == null) {
      message(exchange, 400, "Problems parsing JSON");
      return;
    }
    try {
      Matcher job = JOB.matcher(path);
      Matcher runner = RUNNER.matcher(path);
      if ("GET".equals(method) && path.equals("/_standin/app")) {
        json(exchange, 200, Json.MAPPER.createObjectNode().put("app_id", github.appId())
            .put("private_key", github.appKeys().pkcs8Pem()));
      } else if ("POST".equals(method) && path.equals("/_standin/app/keys")) {
        json(exchange, 201, Json.MAPPER.createObjectNode()
            .put("private_key", github.rotateKey().pkcs8Pem()));
      } else if ("POST".equals(method) && path.equals("/_standin/app/keys/revoke")) {
        String pem = body.path("private_key").asText();
        github.revokeKey(github.acceptedKeys().stream()
            .filter(k -> k.pkcs8Pem().equals(pem) || k.pkcs1Pem().equals(pem)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("not a key of this App")));
        exchange.sendResponseHeaders(204, -1);
      } else if ("GET".equals(method) && path.equals("/_standin/state")) {
        json(exchange, 200, state());
      } else if ("POST".equals(method) && path.equals("/_standin/installations")) {
        long id = github.install(body.path("login").asText());
        json(exchange, 201, Json.MAPPER.createObjectNode().put("id", id));
      } else if ("POST".equals(method) && path.equals("/_standin/jobs")) {
        StandInJob added = github.addJob(body.path("owner").asText(), body.path("repo").asText(),
            body.path("id").asLong(), strings(body.path("labels")));
        json(exchange, 201, Json.MAPPER.valueToTree(added));
      } else if ("PATCH".equals(method) && job.matches()) {
        StandInJob updated = github.updateJob(Long.parseLong(job.group(1)),
            body.path("status").asText(), body.path("conclusion").asText(null));
        json(exchange, 200, Json.MAPPER.valueToTree(updated));
      } else if ("PATCH".equals(method) && runner.matches()) {
        long id = Long.parseLong(runner.group(1));
        StandInRunner current = github.runner(id).orElseThrow(
            () -> new IllegalArgumentException("no runner " + id));
        StandInRunner updated = github.setRunner(id,
            body.path("status").asText(current.status()),
            body.path("busy").asBoolean(current.busy()));
        json(exchange, 200, Json.MAPPER.valueToTree(updated));
      } else if ("POST".equals(method) && path.equals("/_standin/runners/start")) {
        StandInRunner started =
            github.startWithJitConfig(body.path("encoded_jit_config").asText());
        json(exchange, 200, Json.MAPPER.valueToTree(started));
      } else if ("POST".equals(method) && path.equals("/_standin/runners/register")) {
        StandInRunner registered = github.registerWithToken(body.path("token").asText(),
            body.path("name").asText(), strings(body.path("labels")),
            body.path("ephemeral").asBoolean(false));
        json(exchange, 201, Json.MAPPER.valueToTree(registered));
      } else if ("POST".equals(method) && path.equals("/_standin/faults")) {
        faults(body);
        exchange.sendResponseHeaders(204, -1);
      } else if ("POST".equals(method) && path.equals("/_standin/reset")) {
        github.resetCountersAndFaults();
        exchange.sendResponseHeaders(204, -1);
      } else {
        message(exchange, 404, "Not Found");
      }
    } catch (IllegalArgumentException e) {
      message(exchange, 422, e.getMessage());
    }
  }

  private void faults(JsonNode body) {
    if (body.has("latency_ms")) {
      github.latency(Duration.ofMillis(body.path("latency_ms").asLong()));
    }
    if (body.has("fail_next")) {
      github.failNext(body.path("fail_next").path("count").asInt(1),
          body.path("fail_next").path("status").asInt(502));
    }
    if (body.has("secondary_limit_next")) {
      github.secondaryLimitNext(body.path("secondary_limit_next").path("count").asInt(1),
          body.path("secondary_limit_next").path("retry_after").asLong(60));
    }
    if (body.has("lose_next")) {
      JsonNode lose = body.path("lose_next");
      github.loseNextAnswers(lose.path("endpoint").asText("generate-jitconfig"),
          lose.path("count").asInt(1),
          LostAnswer.valueOf(lose.path("how").asText("BAD_GATEWAY").toUpperCase(java.util.Locale.ROOT)));
    }
    if (body.has("points_per_window")) {
      github.rateBudget(body.path("points_per_window").asInt(),
          Duration.ofSeconds(body.path("window_seconds").asLong(60)));
    }
  }

  private ObjectNode state() {
    ObjectNode state = Json.MAPPER.createObjectNode().put("app_id", github.appId());
    state.set("installations", Json.MAPPER.valueToTree(github.installations()));
    state.set("jobs", Json.MAPPER.valueToTree(github.jobs()));
    state.set("runners", Json.MAPPER.valueToTree(github.allRunners()));
    state.set("counters", Json.MAPPER.valueToTree(github.counters()));
    return state;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static JsonNode body(HttpExchange exchange) {
    try {
      byte[] bytes = exchange.getRequestBody().readAllBytes();
      return bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }
}
