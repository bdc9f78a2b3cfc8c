package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.artifacts.ArtifactStore.StoredObject;
import dev.spotrunner.syncer.PlatformResult.Status;
import dev.spotrunner.testkit.fakes.InMemoryArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BinarySyncerTest {
  private static final RunnerPlatform LINUX = RunnerPlatform.parse("linux-x64");
  private static final RunnerPlatform ARM = RunnerPlatform.parse("linux-arm64");
  private static final RunnerPlatform WINDOWS = RunnerPlatform.parse("win-x64");
  private static final String BUCKET = "runner-cache";

  private ReleaseServer github;
  private InMemoryArtifactStore memory;
  private PartRecordingStore store;

  @BeforeEach
  void start() throws IOException {
    github = ReleaseServer.start();
    memory = new InMemoryArtifactStore();
    store = new PartRecordingStore(memory);
  }

  @AfterEach
  void stop() {
    github.close();
  }

  @Test
  void uploadsEachPlatformWithItsVersionAndChecksum() throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0"), WINDOWS, text("win 2.330.0")));

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX, WINDOWS).sync();

    assertThat(summary.failed()).isFalse();
    assertThat(summary.results()).extracting(PlatformResult::status)
        .containsExactly(Status.UPDATED, Status.UPDATED);
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.330.0");
    assertThat(content("actions-runner/win-x64.zip")).isEqualTo("win 2.330.0");
    assertThat(metadata("actions-runner/linux-x64.tar.gz")).containsExactlyInAnyOrderEntriesOf(Map.of(
        "runner-version", "2.330.0", "sha256", text("linux 2.330.0").sha256()));
    assertThat(store.contentTypes).containsExactly("application/gzip", "application/zip");
  }

  @Test
  void leavesAnObjectAloneWhenItCarriesTheSameVersionAndChecksum() {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    syncer(RunnerVersion.LATEST, LINUX).sync();
    int downloads = github.downloads();

    SyncSummary second = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(second.of(LINUX).status()).isEqualTo(Status.UNCHANGED);
    assertThat(github.downloads()).isEqualTo(downloads);
  }

  @Test
  void replacesTheObjectWhenANewVersionIsReleased() throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    syncer(RunnerVersion.LATEST, LINUX).sync();
    github.publish("2.331.0", Map.of(LINUX, text("linux 2.331.0")));

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.of(LINUX).status()).isEqualTo(Status.UPDATED);
    assertThat(summary.of(LINUX).version()).isEqualTo("2.331.0");
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.331.0");
    assertThat(metadata("actions-runner/linux-x64.tar.gz")).containsEntry("runner-version", "2.331.0");
  }

  @Test
  void keepsThePinnedVersionWhenANewerOneIsLatest() throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    github.publish("2.331.0", Map.of(LINUX, text("linux 2.331.0")));

    SyncSummary summary = syncer(RunnerVersion.pinned("2.330.0"), LINUX).sync();

    assertThat(summary.of(LINUX).version()).isEqualTo("2.330.0");
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.330.0");
  }

  @Test
  void keepsTheOldObjectAndFailsWhenTheDownloadDoesNotMatchTheChecksum() throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    syncer(RunnerVersion.LATEST, LINUX).sync();
    github.publish("2.331.0", Map.of(LINUX, text("linux 2.331.0")));
    github.corrupt(LINUX, "2.331.0");

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.failed()).isTrue();
    assertThat(summary.of(LINUX).reason()).contains("sha256 mismatch");
    assertThat(memory.aborted()).isEqualTo(1);
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.330.0");
    assertThat(metadata("actions-runner/linux-x64.tar.gz")).containsEntry("runner-version", "2.330.0");
  }

  @Test
  void failsEveryPlatformAndTouchesNothingWhenTheReleaseIsMissing() {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));

    SyncSummary summary = syncer(RunnerVersion.pinned("2.299.9"), LINUX, WINDOWS).sync();

    assertThat(summary.results()).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.reason()).contains("2.299.9 not found");
    });
    assertThat(memory.head(BUCKET, "actions-runner/linux-x64.tar.gz")).isEmpty();
    assertThat(github.downloads()).isZero();
  }

  @Test
  void failsOnlyThePlatformWhoseAssetIsMissingAndSyncsTheRest() throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));

    SyncSummary summary = syncer(RunnerVersion.LATEST, WINDOWS, LINUX).sync();

    assertThat(summary.of(WINDOWS).status()).isEqualTo(Status.FAILED);
    assertThat(summary.of(WINDOWS).reason()).contains("no asset actions-runner-win-x64-2.330.0.zip");
    assertThat(summary.of(LINUX).status()).isEqualTo(Status.UPDATED);
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.330.0");
  }

  @Test
  void failsAPlatformWhoseChecksumIsNotPublishedWithoutDownloadingIt() {
    github.publish("2.330.0", Map.of(LINUX, text("linux"), ARM, text("arm")));
    github.dropChecksum(ARM, "2.330.0");

    SyncSummary summary = syncer(RunnerVersion.LATEST, ARM, LINUX).sync();

    assertThat(summary.of(ARM).status()).isEqualTo(Status.FAILED);
    assertThat(summary.of(ARM).reason()).contains("<!-- BEGIN SHA linux-arm64 -->");
    assertThat(summary.of(LINUX).status()).isEqualTo(Status.UPDATED);
    assertThat(memory.head(BUCKET, "actions-runner/linux-arm64.tar.gz")).isEmpty();
    assertThat(github.downloads()).isEqualTo(1);
  }

  @Test
  void followsTheDownloadRedirectToTheStorageHost() {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));

    syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(github.redirects()).isEqualTo(1);
    assertThat(github.downloads()).isEqualTo(1);
  }

  @Test
  void failsWithoutStartingAnUploadWhenTheDownloadIsRefused() {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    github.failDownloads(LINUX, "2.330.0");

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.of(LINUX).reason()).contains("HTTP 500");
    assertThat(store.contentTypes).isEmpty();
  }

  @Test
  void abortsWhenTheDownloadIsLongerThanTheReleaseAnnounces() {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    github.understateSize(LINUX, "2.330.0");

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.of(LINUX).reason()).contains("larger than the");
    assertThat(memory.aborted()).isEqualTo(1);
    assertThat(memory.head(BUCKET, "actions-runner/linux-x64.tar.gz")).isEmpty();
  }

  @Test
  void abortsTheUploadAndGoesOnWhenS3FailsForOnePlatform() {
    github.publish("2.330.0", Map.of(LINUX, text("linux"), WINDOWS, text("windows")));
    store.failPartsOf = "actions-runner/linux-x64.tar.gz";

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX, WINDOWS).sync();

    assertThat(summary.of(LINUX).reason()).contains("S3 is unavailable");
    assertThat(memory.aborted()).isEqualTo(1);
    assertThat(summary.of(WINDOWS).status()).isEqualTo(Status.UPDATED);
  }

  @Test
  void countsAnUploadWhoseCompletionAnswerWasLostAsUpdatedWhenTheObjectIsInPlace()
      throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    store.failCompletion = true;
    store.lostAnswer = true;

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.of(LINUX).status()).isEqualTo(Status.UPDATED);
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.330.0");
    assertThat(memory.aborted()).isZero();
  }

  @Test
  void abortsAndFailsWhenCompletionFailsAndTheOldObjectIsStillThere() throws IOException {
    github.publish("2.330.0", Map.of(LINUX, text("linux 2.330.0")));
    syncer(RunnerVersion.LATEST, LINUX).sync();
    github.publish("2.331.0", Map.of(LINUX, text("linux 2.331.0")));
    store.failCompletion = true;

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.of(LINUX).status()).isEqualTo(Status.FAILED);
    assertThat(summary.of(LINUX).reason()).contains("CompleteMultipartUpload failed");
    assertThat(memory.aborted()).isEqualTo(1);
    assertThat(content("actions-runner/linux-x64.tar.gz")).isEqualTo("linux 2.330.0");
  }

  @Test
  void streamsALargeAssetInPartsOfAtLeastFiveMebibytes() {
    AssetContent big = AssetContent.generated(42, 17L * 1024 * 1024 + 3);
    github.publish("2.330.0", Map.of(LINUX, big));

    SyncSummary summary = syncer(RunnerVersion.LATEST, LINUX).sync();

    assertThat(summary.of(LINUX).status()).isEqualTo(Status.UPDATED);
    assertThat(summary.of(LINUX).bytes()).isEqualTo(big.size());
    assertThat(store.parts).containsExactly(BinarySyncer.PART_SIZE, BinarySyncer.PART_SIZE,
        1024 * 1024 + 3);
    assertThat(memory.head(BUCKET, "actions-runner/linux-x64.tar.gz")).map(StoredObject::size)
        .contains(big.size());
  }

  private BinarySyncer syncer(RunnerVersion version, RunnerPlatform... platforms) {
    SyncerSettings settings = new SyncerSettings("test", BUCKET, "actions-runner/",
        List.of(platforms), version, github.apiUrl());
    return new BinarySyncer(settings, new GitHubReleases(github.apiUrl()), store);
  }

  private static AssetContent text(String text) {
    return AssetContent.of(text.getBytes(StandardCharsets.UTF_8));
  }

  private String content(String key) throws IOException {
    try (InputStream in = memory.get(BUCKET, key)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private Map<String, String> metadata(String key) {
    return memory.head(BUCKET, key).orElseThrow().metadata();
  }
}
