package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.syncer.PlatformResult.Status;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.Fault;
import dev.spotrunner.testkit.aws.FaultProxy;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.ReleaseAsset;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** The syncer against moto S3 and the GitHub stand-in, both over HTTP. */
@ExtendWith(AwsEmulatorExtension.class)
class BinarySyncerIT {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static final RunnerPlatform LINUX = RunnerPlatform.parse("linux-x64");
  private static final RunnerPlatform WINDOWS = RunnerPlatform.parse("win-x64");
  // larger than one part, so every upload is a real multipart upload with two parts
  private static final long ASSET_BYTES = 9L * 1024 * 1024 + 17;

  private final AwsClients aws = AwsEmulatorExtension.clients();
  private final S3Client s3 = aws.s3();
  private GitHubStandIn github;
  private String bucket;

  @BeforeEach
  void start() {
    github = GitHubStandIn.start();
    bucket = "runner-cache-" + BUCKETS.incrementAndGet();
    s3.createBucket(b -> b.bucket(bucket));
  }

  @AfterEach
  void stop() {
    github.close();
  }

  @Test
  void firstRunUploadsEachPlatformWithItsVersionAndChecksum() throws Exception {
    publish("2.330.0", 1);

    SyncSummary summary = syncer(github.apiUrl()).sync();

    assertThat(summary.results()).extracting(PlatformResult::status)
        .containsExactly(Status.UPDATED, Status.UPDATED);
    HeadObjectResponse linux = head("actions-runner/linux-x64.tar.gz");
    assertThat(linux.contentLength()).isEqualTo(ASSET_BYTES);
    assertThat(linux.contentType()).isEqualTo("application/gzip");
    assertThat(linux.metadata()).containsEntry("runner-version", "2.330.0")
        .containsEntry("sha256", sha256(ReleaseAsset.generated(ASSET_BYTES, 1)));
    assertThat(sha256(() -> s3.getObject(r -> r.bucket(bucket).key("actions-runner/linux-x64.tar.gz"))))
        .isEqualTo(linux.metadata().get("sha256"));
    assertThat(head("actions-runner/win-x64.zip").contentType()).isEqualTo("application/zip");
  }

  @Test
  void secondRunChangesNothing() {
    publish("2.330.0", 1);
    syncer(github.apiUrl()).sync();
    HeadObjectResponse before = head("actions-runner/linux-x64.tar.gz");
    int downloads = github.calls("asset-content");

    SyncSummary second = syncer(github.apiUrl()).sync();

    assertThat(second.results()).extracting(PlatformResult::status)
        .containsOnly(Status.UNCHANGED);
    assertThat(github.calls("asset-content")).isEqualTo(downloads);
    HeadObjectResponse after = head("actions-runner/linux-x64.tar.gz");
    assertThat(after.eTag()).isEqualTo(before.eTag());
    assertThat(after.lastModified()).isEqualTo(before.lastModified());
  }

  @Test
  void aNewVersionReplacesTheObject() throws Exception {
    publish("2.330.0", 1);
    syncer(github.apiUrl()).sync();
    publish("2.331.0", 2);

    SyncSummary summary = syncer(github.apiUrl()).sync();

    assertThat(summary.of(LINUX).status()).isEqualTo(Status.UPDATED);
    HeadObjectResponse linux = head("actions-runner/linux-x64.tar.gz");
    assertThat(linux.metadata()).containsEntry("runner-version", "2.331.0")
        .containsEntry("sha256", sha256(ReleaseAsset.generated(ASSET_BYTES, 2)));
    assertThat(sha256(() -> s3.getObject(r -> r.bucket(bucket).key("actions-runner/linux-x64.tar.gz"))))
        .isEqualTo(sha256(ReleaseAsset.generated(ASSET_BYTES, 2)));
  }

  @Test
  void aCorruptedAssetKeepsTheOldObjectAndFailsTheInvocation() throws Exception {
    publish("2.330.0", 1);
    syncer(github.apiUrl()).sync();
    HeadObjectResponse before = head("actions-runner/linux-x64.tar.gz");
    // the notes publish the checksum of the good bytes; every download after that serves others
    AtomicBoolean corrupted = new AtomicBoolean();
    Supplier<InputStream> good = ReleaseAsset.generated(ASSET_BYTES, 3);
    Supplier<InputStream> bad = ReleaseAsset.generated(ASSET_BYTES, 4);
    github.publishRelease("2.331.0", List.of(
        ReleaseAsset.of("linux-x64", "2.331.0", ASSET_BYTES, () -> corrupted.get() ? bad.get() : good.get()),
        ReleaseAsset.of("win-x64", "2.331.0", ASSET_BYTES, ReleaseAsset.generated(ASSET_BYTES, 5))));
    corrupted.set(true);
    BinarySyncerHandler handler = new BinarySyncerHandler(syncer(github.apiUrl()));

    assertThatThrownBy(() -> handler.handleRequest(new ByteArrayInputStream("{}".getBytes()),
        new ByteArrayOutputStream(), null))
        .isInstanceOfSatisfying(SyncFailed.class, e -> {
          assertThat(e.summary().of(LINUX).reason()).contains("sha256 mismatch");
          assertThat(e.summary().of(WINDOWS).status()).isEqualTo(Status.UPDATED);
        });
    HeadObjectResponse after = head("actions-runner/linux-x64.tar.gz");
    assertThat(after.eTag()).isEqualTo(before.eTag());
    assertThat(after.metadata()).containsEntry("runner-version", "2.330.0");
    assertThat(s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
    assertThat(head("actions-runner/win-x64.zip").metadata()).containsEntry("runner-version", "2.331.0");
  }

  @Test
  void anS3FailureMidUploadAbortsItAndKeepsTheOldObject() {
    publish("2.330.0", 1);
    syncer(github.apiUrl()).sync();
    HeadObjectResponse before = head("actions-runner/linux-x64.tar.gz");
    publish("2.331.0", 2);
    try (FaultProxy proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
        AwsClients faulty = AwsEmulatorExtension.clients(proxy.endpoint(), 1)) {
      // the second part of the first platform fails, as a dropped connection to S3 would
      proxy.failNext(1, call -> call.action().equals("UploadPart")
          && call.query() != null && call.query().contains("partNumber=2"), Fault.serverError(503));

      SyncSummary summary = Wiring.syncer(settings(github.apiUrl(), RunnerVersion.LATEST), faulty)
          .sync();

      assertThat(summary.of(LINUX).status()).isEqualTo(Status.FAILED);
      assertThat(summary.of(LINUX).reason()).contains("UploadPart");
      assertThat(proxy.calls("AbortMultipartUpload")).isEqualTo(1);
      assertThat(summary.of(WINDOWS).status()).isEqualTo(Status.UPDATED);
    }
    assertThat(head("actions-runner/linux-x64.tar.gz").eTag()).isEqualTo(before.eTag());
    assertThat(s3.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
  }

  @Test
  void aMissingReleaseFailsAndLeavesTheCacheEmpty() {
    publish("2.330.0", 1);
    SyncerSettings settings = settings(github.apiUrl(), RunnerVersion.pinned("2.299.0"));

    SyncSummary summary = Wiring.syncer(settings, aws).sync();

    assertThat(summary.results()).allSatisfy(r -> assertThat(r.reason()).contains("not found"));
    assertThat(s3.listObjectsV2(r -> r.bucket(bucket)).contents()).isEmpty();
  }

  @Test
  void readsAPinnedReleaseFromAnEnterpriseServer() {
    publish("2.330.0", 1);
    publish("2.331.0", 2);

    SyncSummary summary = Wiring.syncer(
        settings(github.enterpriseApiUrl(), RunnerVersion.pinned("2.330.0")), aws).sync();

    assertThat(summary.failed()).isFalse();
    assertThat(head("actions-runner/linux-x64.tar.gz").metadata())
        .containsEntry("runner-version", "2.330.0");
  }

  private void publish(String version, long seed) {
    github.publishRelease(version, List.of(
        ReleaseAsset.of("linux-x64", version, ASSET_BYTES, ReleaseAsset.generated(ASSET_BYTES, seed)),
        ReleaseAsset.of("win-x64", version, ASSET_BYTES, ReleaseAsset.generated(ASSET_BYTES, seed + 100))));
  }

  private BinarySyncer syncer(URI api) {
    return Wiring.syncer(settings(api, RunnerVersion.LATEST), aws);
  }

  private SyncerSettings settings(URI api, RunnerVersion version) {
    return new SyncerSettings("it", bucket, "actions-runner/", List.of(LINUX, WINDOWS), version, api);
  }

  private HeadObjectResponse head(String key) {
    return s3.headObject(r -> r.bucket(bucket).key(key));
  }

  private static String sha256(Supplier<? extends InputStream> content) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = content.get()) {
      byte[] buffer = new byte[1 << 16];
      int read;
      while ((read = in.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
    } catch (IOException e) {
      throw e;
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
