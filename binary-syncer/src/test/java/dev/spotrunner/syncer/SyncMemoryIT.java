package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.github.ReleaseAsset;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * A 200 MiB runner package syncs in a JVM whose heap is 128 MiB: the syncer streams, never buffers.
 * The child's memory line is printed for docs/binary-syncer.md.
 */
@ExtendWith(AwsEmulatorExtension.class)
class SyncMemoryIT {
  private static final long ASSET_BYTES = 200L * 1024 * 1024;

  @Test
  void syncsA200MibAssetIntoMotoS3WithA128MibHeap(S3Client s3) throws Exception {
    SyncMemoryBenchmark.Measurement measurement =
        SyncMemoryBenchmark.run(ASSET_BYTES, "-Xmx128m", "moto");

    System.out.println("[moto S3] " + measurement.memoryLine());
    assertThat(measurement.exitCode()).as(String.join("\n", measurement.output())).isZero();
    assertThat(measurement.memoryLine()).contains("status=UPDATED", "bytes=" + ASSET_BYTES);
    HeadObjectResponse head = s3.headObject(r -> r.bucket(SyncMemoryProbe.BUCKET)
        .key("actions-runner/linux-x64.tar.gz"));
    assertThat(head.contentLength()).isEqualTo(ASSET_BYTES);
    assertThat(head.metadata()).containsEntry("sha256",
        sha256(ReleaseAsset.generated(ASSET_BYTES, SyncMemoryBenchmark.SEED).get()));
  }

  @Test
  void syncsA200MibAssetWithA128MibHeapIntoAStoreThatKeepsNothing() throws Exception {
    SyncMemoryBenchmark.Measurement measurement =
        SyncMemoryBenchmark.run(ASSET_BYTES, "-Xmx128m", "digest");

    System.out.println("[digest store] " + measurement.memoryLine());
    assertThat(measurement.exitCode()).as(String.join("\n", measurement.output())).isZero();
    assertThat(measurement.memoryLine()).contains("status=UPDATED", "bytes=" + ASSET_BYTES);
  }

  private static String sha256(InputStream content) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = content) {
      byte[] buffer = new byte[1 << 16];
      int read;
      while ((read = in.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
