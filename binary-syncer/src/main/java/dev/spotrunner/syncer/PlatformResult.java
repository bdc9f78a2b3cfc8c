package dev.spotrunner.syncer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one sync did for one platform.
 *
 * @param version the release version, or empty when no release could be read
 * @param sha256 the published checksum, or empty when unknown
 * @param bytes bytes uploaded (0 when unchanged or failed)
 * @param reason why it failed; empty otherwise
 */
public record PlatformResult(RunnerPlatform platform, Status status, String version, String sha256,
    long bytes, String reason) {

  public enum Status { UNCHANGED, UPDATED, FAILED }

  static PlatformResult unchanged(RunnerPlatform platform, String version, String sha256) {
    return new PlatformResult(platform, Status.UNCHANGED, version, sha256, 0, "");
  }

  static PlatformResult updated(RunnerPlatform platform, String version, String sha256, long bytes) {
    return new PlatformResult(platform, Status.UPDATED, version, sha256, bytes, "");
  }

  static PlatformResult failed(RunnerPlatform platform, String version, String sha256,
      String reason) {
    return new PlatformResult(platform, Status.FAILED, version, sha256, 0, reason);
  }

  public boolean failed() {
    return status == Status.FAILED;
  }

  Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("platform", platform.toString());
    map.put("status", status.name().toLowerCase(Locale.ROOT));
    map.put("version", version);
    map.put("sha256", sha256);
    map.put("bytes", bytes);
    if (failed()) {
      map.put("reason", reason);
    }
    return map;
  }
}
