package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunnerPlatformTest {
  @Test
  void namesTheLinuxTarballAndItsObject() {
    RunnerPlatform platform = RunnerPlatform.parse("linux-arm64");

    assertThat(platform.assetName("2.330.0")).isEqualTo("actions-runner-linux-arm64-2.330.0.tar.gz");
    assertThat(platform.objectKey("actions-runner/")).isEqualTo("actions-runner/linux-arm64.tar.gz");
    assertThat(platform.contentType()).isEqualTo("application/gzip");
  }

  @Test
  void namesTheWindowsZipAndItsObject() {
    RunnerPlatform platform = RunnerPlatform.parse("win-x64");

    assertThat(platform.assetName("2.330.0")).isEqualTo("actions-runner-win-x64-2.330.0.zip");
    assertThat(platform.objectKey("")).isEqualTo("win-x64.zip");
    assertThat(platform.contentType()).isEqualTo("application/zip");
  }

  @Test
  void refusesUnknownPlatforms() {
    assertThatThrownBy(() -> RunnerPlatform.parse("linux")).hasMessageContaining("'linux'");
    assertThatThrownBy(() -> RunnerPlatform.parse("linux-x86")).hasMessageContaining("linux-x86");
    assertThatThrownBy(() -> RunnerPlatform.parse("Linux-x64")).hasMessageContaining("Linux-x64");
  }
}
