package dev.spotrunner.syncer;

import dev.spotrunner.common.artifacts.ArtifactStore;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * A store that keeps only the size, digest and metadata of what it receives, so a memory
 * measurement sees the syncer's own footprint, not the store's. Enforces S3's 5 MiB part minimum.
 */
final class DigestingStore implements ArtifactStore {
  record Received(long size, String sha256, Map<String, String> metadata) {}

  private final Map<String, Received> objects = new HashMap<>();

  synchronized Optional<Received> received(String bucket, String key) {
    return Optional.ofNullable(objects.get(bucket + "/" + key));
  }

  @Override
  public synchronized Optional<StoredObject> head(String bucket, String key) {
    return received(bucket, key).map(r -> new StoredObject(r.size(), r.metadata()));
  }

  @Override
  public InputStream get(String bucket, String key) {
    throw new UnsupportedOperationException("a digesting store keeps no content");
  }

  @Override
  public Upload startUpload(String bucket, String key, String contentType,
      Map<String, String> metadata) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return new Upload() {
      private long size;
      private int previous = -1;

      @Override
      public void part(byte[] buffer, int length) {
        if (previous >= 0 && previous < PartRecordingStore.MIN_PART) {
          throw new IllegalStateException("a part of " + previous + " bytes before the last one");
        }
        previous = length;
        digest.update(buffer, 0, length);
        size += length;
      }

      @Override
      public void complete() {
        synchronized (DigestingStore.this) {
          objects.put(bucket + "/" + key,
              new Received(size, HexFormat.of().formatHex(digest.digest()), Map.copyOf(metadata)));
        }
      }

      @Override
      public void abort() {}
    };
  }
}
