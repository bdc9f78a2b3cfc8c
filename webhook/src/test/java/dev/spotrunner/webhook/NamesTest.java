package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.job.GitHubNames;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Owner and repository names by GitHub's rules, on GitHub's own example payloads. */
class NamesTest {
  /** The example GitHub sends for a job our test pools take. */
  private static final String QUEUED = "workflow_job.queued.with-deployment.payload.json";

  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

  @AfterEach
  void restoreLog() {
    Log.setOutput(System.out);
  }

  static Stream<String> fixtures() throws Exception {
    return FixturesTest.fixtures();
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void everyRealPayloadsNamesFollowTheRules(String fixture) {
    JsonNode payload = Json.read(TestWebhooks.fixture(fixture), JsonNode.class);
    JsonNode repository = payload.path("repository");
    if (repository.has("full_name")) {
      assertThat(GitHubNames.requireFullName(repository.get("full_name").asText())).isNotNull();
      assertThat(GitHubNames.isLogin(repository.path("owner").path("login").asText())).isTrue();
      assertThat(GitHubNames.isRepository(repository.path("name").asText())).isTrue();
    }
    if (payload.has("organization")) {
      assertThat(GitHubNames.isLogin(payload.path("organization").path("login").asText())).isTrue();
    }
  }

  @Test
  void queuesTheRealPayloadWithItsOwnNames() {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();

    Reply reply = harness.send("workflow_job", "d-real", TestWebhooks.fixture(QUEUED));

    assertThat(reply.status()).isEqualTo(202);
    JobMessage message = JobMessage.fromJson(harness.queue.sent().getFirst().body());
    assertThat(message.repositoryOwner().toString()).isEqualTo("lineville/elastic-machines-testing");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "lineville/../x", "lineville/..", "lineville/.", "lineville/a/b",
      "-lineville/x", "lineville-/x", "line--ville/x", "line__ville/x", "lineville/a b",
      "lineville/r\u00e9po", "lineville/", "/x", "lineville"})
  void refusesASignedDeliveryWithAnInvalidNameAndQueuesNothing(String fullName) {
    TestWebhooks.Harness harness = new TestWebhooks.Harness();
    ObjectNode payload = (ObjectNode) Json.read(TestWebhooks.fixture(QUEUED), JsonNode.class);
    ((ObjectNode) payload.get("repository")).put("full_name", fullName);
    String body = Json.write(payload);
    Log.setOutput(new PrintStream(logged, true, StandardCharsets.UTF_8));

    Reply reply = harness.send("workflow_job", "d-bad-name", body);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).startsWith("repository.full_name").contains("invalid");
    assertThat(harness.queue.sent()).isEmpty();
    assertThat(logged.toString(StandardCharsets.UTF_8)).contains("webhook rejected")
        .contains("d-bad-name").contains("\"status\":400");
  }

  @Test
  void theAllowListTakesOnlyValidNames() {
    assertThat(new RepositoryPolicy(java.util.List.of("acme/*", "acme/.github"), false)
        .check("acme/.github", true)).isEqualTo(RepositoryPolicy.Verdict.ALLOWED);
    for (String bad : new String[] {"acme/..", "ac__me/*", "-acme/api", "acme/a/b"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> new RepositoryPolicy(java.util.List.of(bad), false))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
