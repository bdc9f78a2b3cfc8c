package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookTest {
  private final TestWebhooks.Harness harness = new TestWebhooks.Harness();
  private final String queued = TestWebhooks.workflowJob("queued", 501, "[\"self-hosted\",\"Linux\",\"x64\"]");

  @Test
  void queuesAJobOnThePoolItsLabelsMatch() {
    Reply reply = harness.send("workflow_job", "d-1", queued);

    assertThat(reply).isEqualTo(Reply.queued("linux", 501));
    JobMessage message = JobMessage.fromJson(harness.queue.sent().getFirst().body());
    assertThat(message).isEqualTo(new JobMessage(501, 77, "acme/api", "acme", "Organization", 4242,
        List.of("self-hosted", "Linux", "x64"), "linux", "d-1", TestWebhooks.NOW));
    assertThat(harness.queue.sent().getFirst().delaySeconds()).isEqualTo(30);
  }

  @Test
  void answersNoPoolForGitHubHostedLabels() {
    Reply reply = harness.send("workflow_job", "d-1",
        TestWebhooks.workflowJob("queued", 501, "[\"ubuntu-latest\"]"));

    assertThat(reply).isEqualTo(Reply.of(202, "no pool"));
    assertThat(harness.queue.sent()).isEmpty();
  }

  @Test
  void aRedeliveredWebhookIsQueuedOnce() {
    assertThat(harness.send("workflow_job", "d-1", queued).message()).isEqualTo("queued");
    Reply again = harness.send("workflow_job", "d-1", queued);

    assertThat(again).isEqualTo(new Reply(202, "duplicate", "linux", 501L));
    assertThat(harness.queue.sent()).hasSize(1);
  }

  @Test
  void theSameJobQueuedTwiceUnderTwoDeliveriesIsQueuedOnce() {
    harness.send("workflow_job", "d-1", queued);
    Reply second = harness.send("workflow_job", "d-2", queued);

    assertThat(second.message()).isEqualTo("duplicate");
    assertThat(harness.queue.sent()).hasSize(1);
  }

  @Test
  void aJobThatCouldNotBeQueuedIsQueuedWhenRedelivered() {
    harness.queue.failing(true);
    assertThat(harness.send("workflow_job", "d-1", queued))
        .isEqualTo(Reply.of(503, "queue unavailable, redeliver later"));

    harness.queue.failing(false);
    assertThat(harness.send("workflow_job", "d-1", queued).message()).isEqualTo("queued");
    assertThat(harness.queue.sent()).hasSize(1);
  }

  @Test
  void refusesBodiesOverTheLimitBeforeCheckingAnything() {
    TestWebhooks.Harness small = new TestWebhooks.Harness(
        TestWebhooks.settings(Map.of("MAX_BODY_BYTES", String.valueOf(queued.length()))));
    String over = queued + " ";

    assertThat(small.send("workflow_job", "d-1", queued).status()).isEqualTo(202);
    assertThat(small.send("workflow_job", "d-2", over)).isEqualTo(Reply.of(413,
        "body larger than " + queued.length() + " bytes"));
    assertThat(small.webhook.handle(TestWebhooks.headers("workflow_job", "d-3", small.sign(over)),
        Base64.getEncoder().encodeToString(over.getBytes(StandardCharsets.UTF_8)), true).status())
        .isEqualTo(413);
  }

  @Test
  void decodesABase64Body() {
    APIGatewayV2HTTPResponse response = harness.handler.handleRequest(TestWebhooks.event(
        TestWebhooks.headers("workflow_job", "d-1", harness.sign(queued)),
        Base64.getEncoder().encodeToString(queued.getBytes(StandardCharsets.UTF_8)), true), null);

    assertThat(response.getStatusCode()).isEqualTo(202);
    assertThat(harness.queue.sent()).hasSize(1);
  }

  @Test
  void readsHeaderNamesWhateverTheirCase() {
    Map<String, String> headers = Map.of("X-GitHub-Event", "workflow_job", "X-GITHUB-DELIVERY", "d-1",
        "x-Hub-Signature-256", harness.sign(queued));

    APIGatewayV2HTTPResponse response =
        harness.handler.handleRequest(TestWebhooks.event(headers, queued, false), null);

    assertThat(response.getStatusCode()).isEqualTo(202);
    assertThat(response.getHeaders()).containsEntry("content-type", "application/json");
    assertThat(Json.read(response.getBody(), Reply.class)).isEqualTo(Reply.queued("linux", 501));
  }

  @Test
  void answersWhyInAShortJsonBody() {
    Map<String, String> unsigned = new HashMap<>(TestWebhooks.headers("workflow_job", "d-1", "x"));
    unsigned.remove("x-hub-signature-256");

    assertThat(harness.webhook.handle(unsigned, queued, false))
        .isEqualTo(Reply.of(401, "missing X-Hub-Signature-256 header"));
    assertThat(harness.send("workflow_job", "d-1", "{\"action\":\"queued\",")).isEqualTo(Reply.of(400, "malformed JSON"));
    assertThat(harness.send("workflow_job", "d-1", "{\"action\":\"queued\"}"))
        .isEqualTo(Reply.of(400, "payload has no workflow_job"));
    assertThat(harness.send("workflow_job", "d-1", queued.replace("\"labels\":[", "\"labels\":[{},")))
        .isEqualTo(Reply.of(400, "payload field workflow_job.labels[0] has the wrong type or value"));
    assertThat(harness.send("workflow_job", "d-1", queued.replace("\"id\":501", "\"id\":-1")))
        .isEqualTo(Reply.of(400, "workflow_job.id is missing or not positive"));
    assertThat(harness.send("workflow_job", "", queued))
        .isEqualTo(Reply.of(400, "missing or malformed X-GitHub-Delivery header"));
    assertThat(harness.send("", "d-1", queued)).isEqualTo(Reply.of(400, "missing X-GitHub-Event header"));
    assertThat(harness.send("ping", "d-1", "{}")).isEqualTo(Reply.of(200, "pong"));
    assertThat(harness.send("issues", "d-1", "{}")).isEqualTo(Reply.of(202, "ignored"));
    assertThat(harness.queue.sent()).isEmpty();
  }

  @Test
  void refusesRepositoriesOutsideTheAllowList() {
    TestWebhooks.Harness listed = new TestWebhooks.Harness(
        TestWebhooks.settings(Map.of("REPOSITORY_ALLOW_LIST", "acme/web,tools/*")));

    assertThat(listed.send("workflow_job", "d-1", queued))
        .isEqualTo(Reply.of(403, "repository not in the allow-list"));
    assertThat(listed.queue.sent()).isEmpty();
  }

  @Test
  void refusesPublicRepositoriesUnlessAllowed() {
    TestWebhooks.Harness strict = new TestWebhooks.Harness(
        TestWebhooks.settings(Map.of("ALLOW_PUBLIC_REPOSITORIES", "false")));

    assertThat(strict.send("workflow_job", "d-1", queued.replace("\"private\":true", "\"private\":false")))
        .isEqualTo(Reply.of(403, "public repositories are not allowed"));
    assertThat(strict.send("workflow_job", "d-2", queued.replace("\"private\":true,", "")))
        .isEqualTo(Reply.of(403, "public repositories are not allowed"));
    assertThat(strict.send("workflow_job", "d-3", queued).status()).isEqualTo(202);
  }

  @Test
  void acceptsTheNewSecretRightAfterARotationInSsm() {
    harness.send("ping", "d-0", "{}"); // loads and caches the first secret
    var rotated = TestWebhooks.randomSecret();
    harness.parameters.with(TestWebhooks.SECRET_PARAM, rotated.reveal())
        .with(TestWebhooks.PREVIOUS_SECRET_PARAM, harness.secret.reveal());
    harness.clock.advance(WebhookSecrets.RECHECK_AFTER.plusSeconds(1));
    String body = queued;

    Reply reply = harness.webhook.handle(TestWebhooks.headers("workflow_job", "d-1",
        Signature.sign(body.getBytes(StandardCharsets.UTF_8), rotated)), body, false);

    assertThat(reply.status()).isEqualTo(202);
    assertThat(harness.send("workflow_job", "d-2", // the previous secret still works
        TestWebhooks.workflowJob("queued", 502, "[\"linux\"]")).status()).isEqualTo(202);
  }

  @Test
  void answers503WhenNoSecretCanBeRead() {
    TestWebhooks.Harness noSecret = new TestWebhooks.Harness();
    noSecret.parameters.delete(TestWebhooks.SECRET_PARAM);

    assertThat(noSecret.send("workflow_job", "d-1", queued).status()).isEqualTo(503);
    assertThat(noSecret.queue.sent()).isEmpty();
  }

  @Test
  void recordsTheJobStartDelayWhenAJobStarts() {
    Reply reply = harness.send("workflow_job", "d-1",
        TestWebhooks.workflowJob("in_progress", 501, "[\"self-hosted\",\"x64\"]"));

    assertThat(reply).isEqualTo(new Reply(202, "recorded", "linux", 501L));
    JsonNode line = readTree(harness.metricLines.getFirst());
    assertThat(line.get("JobStartDelay").asDouble()).isEqualTo(42.0);
    assertThat(line.get("pool").asText()).isEqualTo("linux");
    assertThat(line.get("repository").asText()).isEqualTo("acme/api");
    assertThat(line.get("environment").asText()).isEqualTo("test");
    JsonNode directive = line.at("/_aws/CloudWatchMetrics/0");
    assertThat(directive.get("Namespace").asText()).isEqualTo("spotrunner");
    assertThat(directive.at("/Metrics/0/Name").asText()).isEqualTo("JobStartDelay");
    assertThat(directive.at("/Metrics/0/Unit").asText()).isEqualTo("Seconds");
    assertThat(directive.at("/Dimensions/0").toString()).isEqualTo("[\"environment\",\"pool\",\"repository\"]");
    assertThat(line.get("job_id").asLong()).isEqualTo(501);
    assertThat(line.at("/_aws/Timestamp").asLong()).isEqualTo(TestWebhooks.NOW.toEpochMilli());
    assertThat(harness.queue.sent()).isEmpty();
  }

  @Test
  void aJobStartThatCannotBeForwardedIsA503SoTheDeliveryIsRedelivered() {
    harness.queue.failing(true);
    String body = TestWebhooks.workflowJob("in_progress", 501, "[\"linux\"]")
        .replace("\"status\":\"in_progress\"", "\"status\":\"in_progress\",\"runner_name\":\"test-i-0abc\"");

    assertThat(harness.send("workflow_job", "d-1", body).status()).isEqualTo(503);
  }

  @Test
  void recordsTheRunTimeWhenAJobCompletes() {
    harness.send("workflow_job", "d-1", TestWebhooks.workflowJob("completed", 501, "[\"linux\"]"));

    assertThat(readTree(harness.metricLines.getFirst()).get("JobRunTime").asDouble()).isEqualTo(210.0);
  }

  @Test
  void recordsNothingForJobsOfNoPool() {
    Reply reply = harness.send("workflow_job", "d-1",
        TestWebhooks.workflowJob("completed", 501, "[\"ubuntu-latest\"]"));

    assertThat(reply).isEqualTo(Reply.of(202, "no pool"));
    assertThat(harness.metricLines).isEmpty();
  }

  @Test
  void aBadTimestampCostsTheMetricNotTheAnswer() {
    Reply reply = harness.send("workflow_job", "d-1", TestWebhooks.workflowJob("in_progress", 501, "[\"linux\"]")
        .replace("2026-03-01T11:59:42Z", "yesterday"));

    assertThat(reply.status()).isEqualTo(202);
    assertThat(harness.metricLines).isEmpty();
  }

  @Test
  void dropsRepeatedLabelsFromTheMessage() {
    harness.send("workflow_job", "d-1", TestWebhooks.workflowJob("queued", 501,
        "[\"linux\"" + ",\"LINUX\",\"linux\"".repeat(5000) + "]"));

    assertThat(JobMessage.fromJson(harness.queue.sent().getFirst().body()).labels())
        .containsExactly("linux", "LINUX");
  }

  @Test
  void readsPoolsFromSsmOnFirstUse() {
    TestWebhooks.Harness fromSsm = new TestWebhooks.Harness(TestWebhooks.settings(
        Map.of("POOLS", "", "POOLS_PARAM", "/test/pools")));
    fromSsm.parameters.with("/test/pools", Json.write(TestWebhooks.POOLS));

    assertThat(fromSsm.send("workflow_job", "d-1", queued)).isEqualTo(Reply.queued("linux", 501));
  }

  @Test
  void keepsTheCachedSecretWhenItsParametersVanish() {
    harness.send("ping", "d-0", "{}");
    harness.parameters.delete(TestWebhooks.SECRET_PARAM);
    harness.clock.advance(WebhookSecrets.TTL.plusSeconds(1));

    assertThat(harness.webhook.handle(TestWebhooks.headers("workflow_job", "d-1", "sha256=" + "0".repeat(64)),
        queued, false).status()).isEqualTo(401);
    assertThat(harness.send("workflow_job", "d-2", queued).status()).isEqualTo(202);
  }

  @Test
  void answers503UntilThePoolsParameterExistsThenRoutes() {
    TestWebhooks.Harness fromSsm = new TestWebhooks.Harness(TestWebhooks.settings(
        Map.of("POOLS", "", "POOLS_PARAM", "/test/pools")));

    assertThat(fromSsm.send("workflow_job", "d-1", queued))
        .isEqualTo(Reply.of(503, "pools unavailable, redeliver later"));
    fromSsm.parameters.with("/test/pools", "[{\"name\":\"broken\"}]");
    assertThat(fromSsm.send("workflow_job", "d-1", queued).status()).isEqualTo(503);
    fromSsm.parameters.with("/test/pools", Json.write(TestWebhooks.POOLS));
    assertThat(fromSsm.send("workflow_job", "d-1", queued)).isEqualTo(Reply.queued("linux", 501));
  }

  private static JsonNode readTree(String line) {
    try {
      return Json.MAPPER.readTree(line);
    } catch (Exception e) {
      throw new AssertionError(line, e);
    }
  }
}
