package dev.spotrunner.syncer;

import java.util.Set;

/**
 * A runner platform as the {@code actions/runner} release names it, e.g. {@code linux-x64} or
 * {@code win-x64}: it picks the asset, the checksum marker in the release notes and the object key.
 *
 * <pre>{@code RunnerPlatform.parse("linux-arm64").assetName("2.330.0")
 *     // actions-runner-linux-arm64-2.330.0.tar.gz}</pre>
 */
public record RunnerPlatform(String os, String arch) {
  private static final Set<String> SYSTEMS = Set.of("linux", "win", "osx");
  private static final Set<String> ARCHITECTURES = Set.of("x64", "arm64", "arm");

  public RunnerPlatform {
    if (!SYSTEMS.contains(os) || !ARCHITECTURES.contains(arch)) {
      throw new IllegalArgumentException("unknown runner platform '" + os + "-" + arch
          + "', expected <linux|win|osx>-<x64|arm64|arm>");
    }
  }

  public static RunnerPlatform parse(String text) {
    int dash = text.indexOf('-');
    if (dash < 0) {
      throw new IllegalArgumentException("unknown runner platform '" + text
          + "', expected <linux|win|osx>-<x64|arm64|arm>");
    }
    return new RunnerPlatform(text.substring(0, dash), text.substring(dash + 1));
  }

  /** Windows runners ship as zip files, the others as gzipped tarballs. */
  public String extension() {
    return os.equals("win") ? "zip" : "tar.gz";
  }

  public String contentType() {
    return os.equals("win") ? "application/zip" : "application/gzip";
  }

  public String assetName(String version) {
    return "actions-runner-" + this + "-" + version + "." + extension();
  }

  /** The cache object: {@code <prefix><platform>.<ext>}, e.g. {@code actions-runner/linux-x64.tar.gz}. */
  public String objectKey(String keyPrefix) {
    return keyPrefix + this + "." + extension();
  }

  @Override
  public String toString() {
    return os + "-" + arch;
  }
}
