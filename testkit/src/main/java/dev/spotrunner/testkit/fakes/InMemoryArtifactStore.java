package dev.spotrunner.testkit.fakes;

import dev.spotrunner.common.artifacts.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/** An in-memory {@link ArtifactStore} for unit tests. */
public final class InMemoryArtifactStore implements ArtifactStore {
  private record Stored(byte[] bytes, Map<String, String> metadata) {}

  private final Map<String, Stored> objects = new HashMap<>();
  private int aborted;

  @Override
  public synchronized Optional<StoredObject> head(String bucket, String key) {
    Stored stored = objects.get(bucket + "/" + key);
    return stored == null
        ? Optional.empty()
        : Optional.of(new StoredObject(stored.bytes().length, stored.metadata()));
  }

  @Override
  public synchronized InputStream get(String bucket, String key) {
    Stored stored = objects.get(bucket + "/" + key);
    if (stored == null) {
      throw new NoSuchElementException(bucket + "/" + key);
    }
    return new ByteArrayInputStream(stored.bytes());
  }

  @Override
  public Upload startUpload(String bucket, String key, String contentType,
      Map<String, String> metadata) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    return new Upload() {
      @Override
      public void part(byte[] bytes, int length) {
        buffer.write(bytes, 0, length);
      }

      @Override
      public void complete() {
        synchronized (InMemoryArtifactStore.this) {
          objects.put(bucket + "/" + key, new Stored(buffer.toByteArray(), Map.copyOf(metadata)));
        }
      }

      @Override
      public void abort() {
        synchronized (InMemoryArtifactStore.this) {
          aborted++;
        }
      }
    };
  }

  public synchronized int aborted() {
    return aborted;
  }
}
