package dev.spotrunner.syncer;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.artifacts.ArtifactStore;
import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps the {@code actions/runner} package of each configured platform in S3, verified against the
 * SHA-256 the release notes publish. A platform whose object already carries the release's version
 * and checksum is left alone; otherwise the asset streams from GitHub into a multipart upload,
 * hashed on the way, and the upload completes only when the hash matches. A failure on one
 * platform never stops the others and never replaces an object.
 */
public final class BinarySyncer {
  /** User metadata the start script verifies before it unpacks the runner. */
  public static final String VERSION_METADATA = "runner-version";
  public static final String SHA256_METADATA = "sha256";

  /** S3 wants at least 5 MiB per part except the last; 8 MiB keeps the heap small and the parts few. */
  static final int PART_SIZE = 8 * 1024 * 1024;

  private static final Log log = Log.of(BinarySyncer.class);

  private final SyncerSettings settings;
  private final GitHubReleases releases;
  private final ArtifactStore store;

  public BinarySyncer(SyncerSettings settings, GitHubReleases releases, ArtifactStore store) {
    this.settings = settings;
    this.releases = releases;
    this.store = store;
  }

  /** Syncs every platform and returns what happened to each; it throws only on a programming error. */
  public SyncSummary sync() {
    RunnerRelease release;
    try {
      release = releases.find(settings.version());
    } catch (ReleaseUnavailable e) {
      return summarise(settings.platforms().stream()
          .map(p -> PlatformResult.failed(p, "", "", e.getMessage()))
          .toList());
    }
    List<PlatformResult> results = new ArrayList<>();
    for (RunnerPlatform platform : settings.platforms()) {
      results.add(syncOne(platform, release));
    }
    return summarise(results);
  }

  private PlatformResult syncOne(RunnerPlatform platform, RunnerRelease release) {
    String version = release.version();
    Optional<RunnerRelease.Asset> asset = release.asset(platform);
    if (asset.isEmpty()) {
      return PlatformResult.failed(platform, version, "", "release " + version + " has no asset "
          + platform.assetName(version));
    }
    Optional<String> published = release.checksum(platform);
    if (published.isEmpty()) {
      return PlatformResult.failed(platform, version, "", "release " + version
          + " notes carry no SHA-256 between <!-- BEGIN SHA " + platform + " --> and <!-- END SHA "
          + platform + " -->");
    }
    String sha256 = published.get();
    try {
      if (cached(platform, version, sha256)) {
        return PlatformResult.unchanged(platform, version, sha256);
      }
      return upload(platform, version, asset.get(), sha256);
    } catch (ReleaseUnavailable e) {
      return PlatformResult.failed(platform, version, sha256, e.getMessage());
    } catch (IOException | RuntimeException e) {
      // S3 or the download failed part way; the upload was aborted, the old object stays.
      return PlatformResult.failed(platform, version, sha256, e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
  }

  private boolean cached(RunnerPlatform platform, String version, String sha256) {
    return store.head(settings.bucket(), platform.objectKey(settings.keyPrefix()))
        .map(ArtifactStore.StoredObject::metadata)
        .filter(m -> version.equals(m.get(VERSION_METADATA)))
        .filter(m -> sha256.equalsIgnoreCase(m.getOrDefault(SHA256_METADATA, "")))
        .isPresent();
  }

  private PlatformResult upload(RunnerPlatform platform, String version, RunnerRelease.Asset asset,
      String sha256) throws IOException {
    String key = platform.objectKey(settings.keyPrefix());
    Map<String, String> metadata = Map.of(VERSION_METADATA, version, SHA256_METADATA, sha256);
    try (InputStream in = releases.download(asset)) {
      ArtifactStore.Upload upload =
          store.startUpload(settings.bucket(), key, platform.contentType(), metadata);
      Copied copied;
      try {
        copied = copy(in, upload, asset);
      } catch (IOException | RuntimeException e) {
        abort(upload, e);
        throw e;
      }
      if (copied.failure().isPresent()) {
        abort(upload, null);
        return PlatformResult.failed(platform, version, sha256, copied.failure().get());
      }
      if (!copied.sha256().equals(sha256)) {
        abort(upload, null);
        return PlatformResult.failed(platform, version, sha256, "sha256 mismatch for "
            + asset.name() + ": published " + shortSha(sha256) + "…, downloaded "
            + shortSha(copied.sha256()) + "… (" + copied.bytes() + " bytes); the cached object"
            + " was kept");
      }
      try {
        upload.complete();
      } catch (RuntimeException e) {
        // A complete whose answer was lost (a timeout, then a retry S3 no longer knows) may still
        // have succeeded: the object tells. Otherwise the upload is aborted and the old object stays.
        if (cached(platform, version, sha256)) {
          log.warn("multipart completion answered an error but the object is in place",
              entry("platform", platform.toString()), entry("key", key), Log.error(e));
          return PlatformResult.updated(platform, version, sha256, copied.bytes());
        }
        abort(upload, e);
        throw e;
      }
      return PlatformResult.updated(platform, version, sha256, copied.bytes());
    }
  }

  private record Copied(long bytes, String sha256, Optional<String> failure) {}

  /** Streams part by part: one buffer of {@link #PART_SIZE} is all the heap this needs. */
  private static Copied copy(InputStream in, ArtifactStore.Upload upload, RunnerRelease.Asset asset)
      throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[PART_SIZE];
    long total = 0;
    int read;
    while ((read = in.readNBytes(buffer, 0, buffer.length)) > 0) {
      total += read;
      if (asset.size() >= 0 && total > asset.size()) {
        return new Copied(total, "", Optional.of(asset.name() + " is larger than the "
            + asset.size() + " bytes the release announces; the cached object was kept"));
      }
      digest.update(buffer, 0, read);
      upload.part(buffer, read);
    }
    if (total == 0) {
      return new Copied(0, "", Optional.of(asset.name() + " is empty; the cached object was kept"));
    }
    return new Copied(total, HexFormat.of().formatHex(digest.digest()), Optional.empty());
  }

  private static void abort(ArtifactStore.Upload upload, Exception cause) {
    try {
      upload.abort();
    } catch (RuntimeException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      } else {
        throw e;
      }
    }
  }

  private SyncSummary summarise(List<PlatformResult> results) {
    SyncSummary summary = new SyncSummary(results);
    for (PlatformResult result : results) {
      if (result.failed()) {
        log.error("runner sync failed", entry("environment", settings.environment()),
            entry("platform", result.platform().toString()), entry("version", result.version()),
            entry("reason", result.reason()));
      } else {
        log.info("runner cached", entry("environment", settings.environment()),
            entry("platform", result.platform().toString()),
            entry("status", result.status().name().toLowerCase(java.util.Locale.ROOT)),
            entry("version", result.version()),
            // a full digest looks like a secret to the log redaction, so the log shows its start
            entry("sha256_prefix", shortSha(result.sha256())),
            entry("bytes", result.bytes()));
      }
    }
    log.info("runner sync finished", entry("environment", settings.environment()),
        entry("bucket", settings.bucket()), entry("requested_version", settings.version().toString()),
        entry("unchanged", summary.count(PlatformResult.Status.UNCHANGED)),
        entry("updated", summary.count(PlatformResult.Status.UPDATED)),
        entry("failed", summary.count(PlatformResult.Status.FAILED)));
    return summary;
  }

  private static String shortSha(String sha256) {
    return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
