package dev.spotrunner.common.artifacts;

import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.log.Log;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** {@link ArtifactStore} on S3: HeadObject, streaming GetObject, multipart upload. */
public final class S3ArtifactStore implements ArtifactStore {
  private static final Log LOG = Log.of(S3ArtifactStore.class);

  private final S3Client s3;

  public S3ArtifactStore(S3Client s3) {
    this.s3 = Objects.requireNonNull(s3, "s3");
  }

  @Override
  public Optional<StoredObject> head(String bucket, String key) {
    try {
      HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
      return Optional.of(new StoredObject(head.contentLength(), head.metadata()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (AwsServiceException e) {
      // HEAD has no body, so S3 cannot say NoSuchKey: a bare 404 is the answer.
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw AwsFailures.translate("S3", "HeadObject", e);
    } catch (SdkException e) {
      throw AwsFailures.translate("S3", "HeadObject", e);
    }
  }

  /** Streams the object; a missing one is a {@link NoSuchElementException}, as in the fake. */
  @Override
  public InputStream get(String bucket, String key) {
    try {
      return s3.getObject(r -> r.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      throw new NoSuchElementException("no object s3://" + bucket + "/" + key);
    } catch (SdkException e) {
      throw AwsFailures.translate("S3", "GetObject", e);
    }
  }

  @Override
  public Upload startUpload(String bucket, String key, String contentType,
      Map<String, String> metadata) {
    String uploadId;
    try {
      uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)
          .contentType(contentType).metadata(metadata)).uploadId();
    } catch (SdkException e) {
      throw AwsFailures.translate("S3", "CreateMultipartUpload", e);
    }
    return new MultipartUpload(bucket, key, uploadId);
  }

  private final class MultipartUpload implements Upload {
    private final String bucket;
    private final String key;
    private final String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private boolean finished;

    MultipartUpload(String bucket, String key, String uploadId) {
      this.bucket = bucket;
      this.key = key;
      this.uploadId = uploadId;
    }

    @Override
    public synchronized void part(byte[] buffer, int length) {
      if (finished) {
        throw new IllegalStateException("upload already completed or aborted");
      }
      int number = parts.size() + 1;
      try {
        // fromByteBuffer copies the bytes once; the upload is synchronous, so the caller may reuse
        // its buffer when this returns.
        String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId)
            .partNumber(number).contentLength((long) length),
            RequestBody.fromByteBuffer(java.nio.ByteBuffer.wrap(buffer, 0, length))).eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      } catch (SdkException e) {
        throw AwsFailures.translate("S3", "UploadPart", e);
      }
    }

    @Override
    public synchronized void complete() {
      if (finished) {
        throw new IllegalStateException("upload already completed or aborted");
      }
      if (parts.isEmpty()) {
        // S3 needs at least one part; an empty object is one empty part.
        part(new byte[0], 0);
      }
      try {
        s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
            .multipartUpload(m -> m.parts(parts)));
        finished = true;
      } catch (SdkException e) {
        throw AwsFailures.translate("S3", "CompleteMultipartUpload", e);
      }
    }

    @Override
    public synchronized void abort() {
      if (finished) {
        return;
      }
      finished = true;
      try {
        s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
      } catch (SdkException e) {
        // The upload leaves no object either way; S3's lifecycle rule reaps orphaned parts.
        LOG.warn("multipart upload abort failed", Log.entry("bucket", bucket),
            Log.entry("key", key), Log.error(e));
      }
    }
  }
}
