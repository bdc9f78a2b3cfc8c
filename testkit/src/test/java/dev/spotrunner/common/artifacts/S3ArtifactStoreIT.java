package dev.spotrunner.common.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.Fault;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

@ExtendWith(AwsEmulatorExtension.class)
class S3ArtifactStoreIT {
  private static final int MIB = 1024 * 1024;
  private static S3Client s3;
  private static FaultProxy proxy;
  private static AwsClients throughProxy;
  private String bucket;

  @BeforeAll
  static void start(S3Client client) {
    s3 = client;
    proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
    throughProxy = AwsEmulatorExtension.clients(proxy.endpoint(), 1);
  }

  @AfterAll
  static void stop() {
    throughProxy.close();
    proxy.close();
  }

  @BeforeEach
  void createBucket() {
    proxy.reset();
    bucket = "runners-" + System.nanoTime();
    s3.createBucket(r -> r.bucket(bucket));
  }

  private static byte[] bytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static byte[] read(ArtifactStore store, String bucket, String key) throws IOException {
    try (InputStream in = store.get(bucket, key)) {
      return in.readAllBytes();
    }
  }

  @Test
  void uploadsInPartsWithMetadataAndStreamsItBack() throws IOException {
    ArtifactStore store = new S3ArtifactStore(s3);
    byte[] first = bytes(5 * MIB, 1);
    byte[] last = bytes(123_457, 2);
    // The part buffer is reused by callers: only `length` bytes of it belong to the part.
    byte[] buffer = new byte[5 * MIB + 10];
    System.arraycopy(first, 0, buffer, 0, first.length);

    ArtifactStore.Upload upload = store.startUpload(bucket, "actions-runner/linux-x64.tar.gz",
        "application/gzip", Map.of("runner-version", "2.330.0", "sha256", "abc123"));
    upload.part(buffer, first.length);
    upload.part(last, last.length);
    upload.complete();

    ArtifactStore.StoredObject head = store.head(bucket, "actions-runner/linux-x64.tar.gz").orElseThrow();
    assertEquals(first.length + last.length, head.size());
    assertEquals(Map.of("runner-version", "2.330.0", "sha256", "abc123"), head.metadata());
    assertArrayEquals(concat(first, last), read(store, bucket, "actions-runner/linux-x64.tar.gz"));
  }

  @Test
  void anAbortedUploadLeavesThePreviousObject() throws IOException {
    ArtifactStore store = new S3ArtifactStore(s3);
    byte[] previous = bytes(1000, 3);
    ArtifactStore.Upload v1 = store.startUpload(bucket, "runner.tar.gz", "application/gzip",
        Map.of("runner-version", "2.329.0"));
    v1.part(previous, previous.length);
    v1.complete();

    ArtifactStore.Upload v2 = store.startUpload(bucket, "runner.tar.gz", "application/gzip",
        Map.of("runner-version", "2.330.0"));
    v2.part(bytes(5 * MIB, 4), 5 * MIB);
    v2.abort();

    assertEquals(Map.of("runner-version", "2.329.0"), store.head(bucket, "runner.tar.gz").orElseThrow().metadata());
    assertArrayEquals(previous, read(store, bucket, "runner.tar.gz"));
    assertEquals(0, s3.listMultipartUploads(r -> r.bucket(bucket)).uploads().size(),
        "the aborted upload's parts are gone");
  }

  @Test
  void completesAnEmptyUpload() throws IOException {
    ArtifactStore store = new S3ArtifactStore(s3);

    ArtifactStore.Upload upload = store.startUpload(bucket, "empty", "application/octet-stream", Map.of());
    upload.complete();

    assertEquals(0, store.head(bucket, "empty").orElseThrow().size());
    assertEquals(0, read(store, bucket, "empty").length);
  }

  @Test
  void aMissingObjectIsAbsent() {
    ArtifactStore store = new S3ArtifactStore(s3);

    assertEquals(Optional.empty(), store.head(bucket, "missing"));
    assertThrows(NoSuchElementException.class, () -> store.get(bucket, "missing"));
  }

  @Test
  void headsThroughTheProxyAndFailsTransientlyOnSlowDown() {
    s3.putObject(r -> r.bucket(bucket).key("k").metadata(Map.of("a", "b")),
        software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[42]));
    ArtifactStore store = new S3ArtifactStore(throughProxy.s3());
    proxy.failNext(1, "HeadObject", Fault.throttle());
    proxy.failNext(1, "UploadPart", Fault.serverError(503));

    assertThrows(TransientFailure.class, () -> store.head(bucket, "k"));
    assertEquals(Optional.of(new ArtifactStore.StoredObject(42, Map.of("a", "b"))), store.head(bucket, "k"));
    ArtifactStore.Upload upload = store.startUpload(bucket, "k2", "text/plain", Map.of());
    TransientFailure part = assertThrows(TransientFailure.class, () -> upload.part(new byte[10], 10));
    assertTrue(part.getMessage().contains("ServiceUnavailable"), part.getMessage());
    upload.abort();
    assertEquals(1, proxy.calls("AbortMultipartUpload"));
  }
}
