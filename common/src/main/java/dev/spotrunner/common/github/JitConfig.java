package dev.spotrunner.common.github;

/** A just-in-time runner: GitHub's runner record and the encoded config; the config is a secret. */
public record JitConfig(GitHubRunner runner, String encodedJitConfig) {
  @Override
  public String toString() {
    return "JitConfig[runner=" + runner + "]";
  }
}
