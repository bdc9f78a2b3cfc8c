package dev.spotrunner.common.github;

import java.util.List;

/** A self-hosted runner as GitHub lists it. {@code status} is {@code online} or {@code offline}. */
public record GitHubRunner(long id, String name, String status, boolean busy, List<String> labels) {
  public GitHubRunner {
    labels = labels == null ? List.of() : List.copyOf(labels);
  }

  public boolean online() {
    return "online".equals(status);
  }
}
