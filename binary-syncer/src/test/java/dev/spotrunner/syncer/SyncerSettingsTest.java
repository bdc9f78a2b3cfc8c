package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.config.SettingsException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncerSettingsTest {
  @Test
  void defaultsToTheLatestLinuxX64RunnerFromGitHubDotCom() {
    SyncerSettings settings = SyncerSettings.fromEnv(Map.of("ENVIRONMENT", "ci", "BUCKET_NAME", "b"));

    assertThat(settings.keyPrefix()).isEqualTo("actions-runner/");
    assertThat(settings.platforms()).containsExactly(RunnerPlatform.parse("linux-x64"));
    assertThat(settings.version()).isEqualTo(RunnerVersion.LATEST);
    assertThat(settings.gitHubApiUrl()).isEqualTo(URI.create("https://api.github.com"));
  }

  @Test
  void readsPlatformsPinnedVersionAndAnEnterpriseServerUrl() {
    SyncerSettings settings = SyncerSettings.fromEnv(Map.of("ENVIRONMENT", "ci", "BUCKET_NAME", "b",
        "KEY_PREFIX", "cache/runner-", "PLATFORMS", "linux-x64, win-x64,linux-x64,linux-arm64",
        "RUNNER_VERSION", "v2.330.0", "GITHUB_API_URL", "https://ghe.example.com/api/v3/"));

    assertThat(settings.keyPrefix()).isEqualTo("cache/runner-");
    assertThat(settings.platforms()).extracting(RunnerPlatform::toString)
        .containsExactly("linux-x64", "win-x64", "linux-arm64");
    assertThat(settings.version()).isEqualTo(RunnerVersion.pinned("2.330.0"));
    assertThat(settings.version().releasePath()).isEqualTo("tags/v2.330.0");
    assertThat(settings.gitHubApiUrl()).isEqualTo(URI.create("https://ghe.example.com/api/v3"));
  }

  @Test
  void namesEveryMissingOrMalformedVariableInOneError() {
    assertThatThrownBy(() -> SyncerSettings.fromEnv(Map.of("PLATFORMS", "linux-x64,solaris-sparc",
        "RUNNER_VERSION", "newest", "GITHUB_API_URL", "ftp://example.com", "KEY_PREFIX", "/abs/")))
        .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.problems())
            .hasSize(6)
            .anySatisfy(p -> assertThat(p).contains("ENVIRONMENT is required"))
            .anySatisfy(p -> assertThat(p).contains("BUCKET_NAME is required"))
            .anySatisfy(p -> assertThat(p).contains("solaris-sparc"))
            .anySatisfy(p -> assertThat(p).contains("RUNNER_VERSION").contains("newest"))
            .anySatisfy(p -> assertThat(p).contains("GITHUB_API_URL"))
            .anySatisfy(p -> assertThat(p).contains("KEY_PREFIX")));
  }

  @Test
  void refusesAnEmptyPlatformList() {
    assertThatThrownBy(() -> SyncerSettings.fromEnv(Map.of("ENVIRONMENT", "ci", "BUCKET_NAME", "b",
        "PLATFORMS", " , ")))
        .hasMessageContaining("PLATFORMS names no platform");
  }
}
