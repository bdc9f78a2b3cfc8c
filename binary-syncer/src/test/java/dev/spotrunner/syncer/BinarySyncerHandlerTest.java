package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.testkit.fakes.InMemoryArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BinarySyncerHandlerTest {
  private static final RunnerPlatform LINUX = RunnerPlatform.parse("linux-x64");
  private static final RunnerPlatform WINDOWS = RunnerPlatform.parse("win-x64");
  private static final String SCHEDULED_EVENT = """
      {"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
       "source": "aws.events", "account": "123456789012", "time": "2026-11-28T16:00:00Z",
       "region": "eu-west-1", "resources": ["arn:aws:events:eu-west-1:123456789012:rule/sync"],
       "detail": {}}
      """;

  private ReleaseServer github;
  private InMemoryArtifactStore store;

  @BeforeEach
  void start() throws IOException {
    github = ReleaseServer.start();
    store = new InMemoryArtifactStore();
    github.publish("2.330.0", Map.of(LINUX, AssetContent.of("linux".getBytes(StandardCharsets.UTF_8))));
  }

  @AfterEach
  void stop() {
    github.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{}", SCHEDULED_EVENT})
  void syncsOnAnyTriggerAndAnswersTheSummary(String event) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    handler(LINUX).handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
        out, null);

    JsonNode summary = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(summary.path("updated").asInt() + summary.path("unchanged").asInt()).isEqualTo(1);
    assertThat(summary.path("platforms").get(0).path("platform").asText()).isEqualTo("linux-x64");
    assertThat(summary.path("platforms").get(0).path("sha256").asText()).hasSize(64);
    assertThat(store.head("bucket", "actions-runner/linux-x64.tar.gz")).isPresent();
  }

  @Test
  void failsTheInvocationAfterSyncingThePlatformsThatCouldBe() {
    BinarySyncerHandler handler = handler(WINDOWS, LINUX);

    assertThatThrownBy(() -> handler.handleRequest(new ByteArrayInputStream(new byte[0]),
        new ByteArrayOutputStream(), null))
        .isInstanceOfSatisfying(SyncFailed.class, e -> {
          assertThat(e.getMessage()).contains("1 of 2 platforms").contains("win-x64: release 2.330.0"
              + " has no asset actions-runner-win-x64-2.330.0.zip");
          assertThat(e.summary().of(LINUX).status()).isEqualTo(PlatformResult.Status.UPDATED);
        });
    assertThat(store.head("bucket", "actions-runner/linux-x64.tar.gz")).isPresent();
  }

  @Test
  void writesOneMetricsLinePerRunWithUpdatedUnchangedFailedAndBytesAlsoWhenTheRunFails()
      throws IOException {
    List<String> lines = new java.util.ArrayList<>();
    BinarySyncerHandler handler = new BinarySyncerHandler(syncer(WINDOWS, LINUX), lines::add);

    assertThatThrownBy(() -> handler.handleRequest(new ByteArrayInputStream(new byte[0]),
        new ByteArrayOutputStream(), null)).isInstanceOf(SyncFailed.class);
    handler(LINUX).handleRequest(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), null);
    new BinarySyncerHandler(syncer(LINUX), lines::add).handleRequest(
        new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(), null);

    assertThat(lines).hasSize(2);
    JsonNode failedRun = Json.MAPPER.readTree(lines.get(0));
    assertThat(failedRun.path("function").asText()).isEqualTo("binary-syncer");
    assertThat(failedRun.path("BinariesUpdated").asLong()).isEqualTo(1);
    assertThat(failedRun.path("BinariesFailed").asLong()).isEqualTo(1);
    assertThat(failedRun.path("BinariesUnchanged").asLong()).isZero();
    assertThat(failedRun.path("BinaryBytesUploaded").asLong()).isEqualTo("linux".length());
    JsonNode unchangedRun = Json.MAPPER.readTree(lines.get(1));
    assertThat(unchangedRun.path("BinariesUnchanged").asLong()).isEqualTo(1);
    assertThat(unchangedRun.path("BinariesUpdated").asLong()).isZero();
    assertThat(unchangedRun.path("BinaryBytesUploaded").asLong()).isZero();
    assertThat(unchangedRun.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").toString())
        .contains("\"Name\":\"BinaryBytesUploaded\",\"Unit\":\"Bytes\"");
  }

  private BinarySyncerHandler handler(RunnerPlatform... platforms) {
    return new BinarySyncerHandler(syncer(platforms));
  }

  private BinarySyncer syncer(RunnerPlatform... platforms) {
    SyncerSettings settings = new SyncerSettings("test", "bucket", "actions-runner/",
        List.of(platforms), RunnerVersion.LATEST, github.apiUrl());
    return new BinarySyncer(settings, new GitHubReleases(github.apiUrl()), store);
  }
}
