package dev.spotrunner.syncer;

import dev.spotrunner.common.artifacts.ArtifactStore;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps a store to see the parts the syncer sends and to make S3 fail on demand; also enforces the
 * S3 rule that every part but the last has at least 5 MiB.
 */
final class PartRecordingStore implements ArtifactStore {
  static final int MIN_PART = 5 * 1024 * 1024;

  private final ArtifactStore delegate;
  final List<Integer> parts = new CopyOnWriteArrayList<>();
  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  volatile String failPartsOf = "";
  /** Completion fails: after completing ({@code lostAnswer}) or without completing. */
  volatile boolean failCompletion;
  volatile boolean lostAnswer;

  PartRecordingStore(ArtifactStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<StoredObject> head(String bucket, String key) {
    return delegate.head(bucket, key);
  }

  @Override
  public InputStream get(String bucket, String key) {
    return delegate.get(bucket, key);
  }

  @Override
  public Upload startUpload(String bucket, String key, String contentType,
      Map<String, String> metadata) {
    contentTypes.add(contentType);
    Upload upload = delegate.startUpload(bucket, key, contentType, metadata);
    return new Upload() {
      private int previous = -1;

      @Override
      public void part(byte[] buffer, int length) {
        if (key.equals(failPartsOf)) {
          throw new IllegalStateException("S3 is unavailable");
        }
        if (previous >= 0 && previous < MIN_PART) {
          throw new IllegalStateException("part of " + previous + " bytes before the last part");
        }
        previous = length;
        parts.add(length);
        upload.part(buffer, length);
      }

      @Override
      public void complete() {
        if (failCompletion && lostAnswer) {
          upload.complete();
        }
        if (failCompletion) {
          throw new IllegalStateException("S3 CompleteMultipartUpload failed");
        }
        upload.complete();
      }

      @Override
      public void abort() {
        upload.abort();
      }
    };
  }
}
