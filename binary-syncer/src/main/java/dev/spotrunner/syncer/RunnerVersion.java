package dev.spotrunner.syncer;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runner version to keep: {@code latest} or a pinned {@code major.minor.patch} (a leading
 * {@code v} is accepted, as in the release tag).
 */
public record RunnerVersion(Optional<String> pinned) {
  private static final Pattern SEMVER = Pattern.compile("\\d+\\.\\d+\\.\\d+");

  public static final RunnerVersion LATEST = new RunnerVersion(Optional.empty());

  public RunnerVersion {
    pinned.ifPresent(v -> {
      if (!SEMVER.matcher(v).matches()) {
        throw new IllegalArgumentException("expected 'latest' or a version such as 2.330.0, got '"
            + v + "'");
      }
    });
  }

  public static RunnerVersion parse(String text) {
    String value = text.trim();
    if (value.equalsIgnoreCase("latest")) {
      return LATEST;
    }
    return new RunnerVersion(Optional.of(value.startsWith("v") ? value.substring(1) : value));
  }

  public static RunnerVersion pinned(String version) {
    return new RunnerVersion(Optional.of(version));
  }

  /** The REST path under {@code /repos/actions/runner/releases/}. */
  String releasePath() {
    return pinned.map(v -> "tags/v" + v).orElse("latest");
  }

  @Override
  public String toString() {
    return pinned.orElse("latest");
  }
}
