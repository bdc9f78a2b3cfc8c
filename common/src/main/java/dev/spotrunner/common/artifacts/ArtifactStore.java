package dev.spotrunner.common.artifacts;

import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/** An object store (S3) for runner tarballs. */
public interface ArtifactStore {
  /** Size and user metadata of an object, or empty when it does not exist. */
  Optional<StoredObject> head(String bucket, String key);

  /** Streams an object; the caller closes the stream. */
  InputStream get(String bucket, String key);

  /**
   * Starts a multipart upload whose object will carry {@code metadata}. Nothing is visible until
   * {@link Upload#complete()}; {@link Upload#abort()} leaves any previous object in place.
   */
  Upload startUpload(String bucket, String key, String contentType, Map<String, String> metadata);

  record StoredObject(long size, Map<String, String> metadata) {
    public StoredObject {
      metadata = Map.copyOf(metadata);
    }
  }

  /** A multipart upload in progress. Parts are at least 5 MiB except the last. */
  interface Upload {
    void part(byte[] buffer, int length);

    void complete();

    void abort();
  }
}
