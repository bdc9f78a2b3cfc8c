package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.JobStart;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every GitHub example payload (octokit/webhooks, MIT) through the handler, signed right and wrong. */
class FixturesTest {

  static Stream<String> fixtures() throws IOException, URISyntaxException {
    Path dir = Path.of(FixturesTest.class.getResource("/fixtures/github-webhooks/LICENSE").toURI()).getParent();
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted()
          .toList().stream();
    }
  }

  /** The workflow_job examples of a job that waits for a runner (all but waiting: no runner yet). */
  static Stream<String> workflowJobsForARunner() throws IOException, URISyntaxException {
    return fixtures().filter(n -> n.startsWith("workflow_job.") && !n.startsWith("workflow_job.waiting"));
  }

  /** The check_run examples, for the legacy mode. */
  static Stream<String> checkRuns() throws IOException, URISyntaxException {
    return fixtures().filter(n -> n.startsWith("check_run."));
  }

  /** The event type GitHub sends in X-GitHub-Event is the file name's first part. */
  private static String eventOf(String fixture) {
    return fixture.substring(0, fixture.indexOf('.'));
  }

  private static int expectedStatus(String fixture) {
    return fixture.startsWith("ping.") ? 200 : 202;
  }

  private static String expectedMessage(String fixture) {
    if (fixture.startsWith("ping.")) {
      return "pong";
    }
    if (fixture.equals("workflow_job.queued.with-deployment.payload.json")) {
      return "queued";
    }
    if (fixture.startsWith("workflow_job.") && !fixture.startsWith("workflow_job.waiting")) {
      return "no pool"; // their labels are ubuntu-latest, a GitHub-hosted runner
    }
    return "ignored";
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void answersEveryExampleSignedWithTheSecret(String fixture) {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();
    String body = TestWebhooks.fixture(fixture);

    APIGatewayV2HTTPResponse response = harness.handler.handleRequest(TestWebhooks.event(
        TestWebhooks.headers(eventOf(fixture), "delivery-1", harness.sign(body)), body, false), null);

    assertThat(response.getStatusCode()).isEqualTo(expectedStatus(fixture));
    Reply reply = Json.read(response.getBody(), Reply.class);
    assertThat(reply.message()).isEqualTo(expectedMessage(fixture));
    assertThat(harness.queue.sent()).hasSize(reply.message().equals("queued") ? 1 : 0);
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void refusesEveryExampleSignedWithAnotherSecret(String fixture) {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();
    String body = TestWebhooks.fixture(fixture);
    String forged = new TestWebhooks.Harness().sign(body);

    APIGatewayV2HTTPResponse response = harness.handler.handleRequest(TestWebhooks.event(
        TestWebhooks.headers(eventOf(fixture), "delivery-1", forged), body, false), null);

    assertThat(response.getStatusCode()).isEqualTo(401);
    assertThat(response.getBody()).doesNotContain("sha256=");
    assertThat(harness.queue.sent()).isEmpty();
  }

  @Test
  void queuedJobBecomesAMessageOnItsPoolsQueueWithItsDelay() {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();
    String body = TestWebhooks.fixture("workflow_job.queued.with-deployment.payload.json");

    Reply reply = harness.send("workflow_job", "72d3162e-cc78-11e3-81ab-4c9367dc0958", body);

    assertThat(reply).isEqualTo(Reply.queued("k8s", 12877621891L));
    var sent = harness.queue.sent().getFirst();
    assertThat(sent.queueUrl()).isEqualTo(TestWebhooks.K8S_QUEUE);
    assertThat(sent.delaySeconds()).isEqualTo(45);
    assertThat(sent.attributes()).isEqualTo(Map.of(
        "deliveryId", "72d3162e-cc78-11e3-81ab-4c9367dc0958", "jobId", "12877621891"));
    assertThat(JobMessage.fromJson(sent.body())).isEqualTo(new JobMessage(12877621891L, 4747967848L,
        "lineville/elastic-machines-testing", "lineville", "User", 23154469L,
        java.util.List.of("self-hosted", "k8s"), "k8s", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        TestWebhooks.NOW));
  }

  /**
   * GitHub's in_progress example, routed to the k8s pool (its labels and a private repository
   * swapped in): the runner GitHub named goes to the pool's queue at once, as a job start.
   */
  @Test
  void aStartedJobTellsItsPoolsQueueWhichRunnerTookIt() throws IOException {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();
    var payload = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(
        TestWebhooks.fixture("workflow_job.in_progress.payload.json"));
    var job = (com.fasterxml.jackson.databind.node.ObjectNode) payload.get("workflow_job");
    job.putArray("labels").add("self-hosted").add("k8s");
    ((com.fasterxml.jackson.databind.node.ObjectNode) payload.get("repository")).put("private", true);

    Reply reply = harness.send("workflow_job", "d-started-1", payload.toString());

    assertThat(reply).isEqualTo(new Reply(202, "started", "k8s", 289782451L));
    var sent = harness.queue.sent().getFirst();
    assertThat(sent.queueUrl()).isEqualTo(TestWebhooks.K8S_QUEUE);
    assertThat(sent.delaySeconds()).isZero();
    assertThat(sent.attributes()).isEqualTo(Map.of(
        "spotrunnerKind", "started", "deliveryId", "d-started-1", "jobId", "289782451"));
    assertThat(JobStart.fromJson(sent.body())).isEqualTo(new JobStart(JobId.of(289782451L),
        "Codertocat/Hello-World", "GitHub Actions 5", "k8s", "d-started-1",
        java.time.Instant.parse("2021-09-13T02:21:13Z")));
  }

  @ParameterizedTest
  @MethodSource("workflowJobsForARunner")
  void refusesWorkflowJobsOfPublicRepositoriesByDefault(String fixture) {
    TestWebhooks.Harness harness = new TestWebhooks.Harness(
        TestWebhooks.settings(Map.of("ALLOW_PUBLIC_REPOSITORIES", "")));
    String body = TestWebhooks.fixture(fixture);

    Reply reply = harness.send("workflow_job", "delivery-1", body);

    assertThat(reply).isEqualTo(Reply.of(403, "public repositories are not allowed"));
    assertThat(harness.queue.sent()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("checkRuns")
  void legacyModeSendsCreatedCheckRunsToTheDefaultPool(String fixture) {
    TestWebhooks.Harness harness = new TestWebhooks.Harness(
        TestWebhooks.settings(Map.of("CHECK_RUN_LEGACY", "true")));
    String body = TestWebhooks.fixture(fixture);

    Reply reply = harness.send("check_run", "delivery-1", body);

    if (fixture.startsWith("check_run.created")) {
      assertThat(reply).isEqualTo(Reply.queued("linux", 128620228L));
      JobMessage message = JobMessage.fromJson(harness.queue.sent().getFirst().body());
      assertThat(message.pool()).isEqualTo("linux");
      assertThat(message.repository()).isEqualTo("Codertocat/Hello-World");
      assertThat(harness.queue.sent().getFirst().queueUrl()).isEqualTo(TestWebhooks.LINUX_QUEUE);
    } else {
      assertThat(reply).isEqualTo(Reply.of(202, "ignored"));
      assertThat(harness.queue.sent()).isEmpty();
    }
  }
}
