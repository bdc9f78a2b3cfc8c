package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerReleaseTest {
  private static final RunnerPlatform LINUX = RunnerPlatform.parse("linux-x64");
  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  // shaped like the SHA-256 section of a real actions/runner release
  private static final String BODY = """
      ## SHA-256 Checksums

      - actions-runner-win-x64-2.330.0.zip <!-- BEGIN SHA win-x64 -->%s<!-- END SHA win-x64 -->
      - actions-runner-linux-x64-2.330.0-noexternals.tar.gz <!-- BEGIN SHA linux-x64_noexternals -->%s<!-- END SHA linux-x64_noexternals -->
      - actions-runner-linux-x64-2.330.0.tar.gz <!-- BEGIN SHA linux-x64 -->%s<!-- END SHA linux-x64 -->
      """.formatted(B, B, A);

  @Test
  void takesTheChecksumBetweenThePlatformsOwnMarkers() {
    RunnerRelease release = new RunnerRelease("2.330.0", Map.of(), BODY);

    assertThat(release.checksum(LINUX)).contains(A);
    assertThat(release.checksum(RunnerPlatform.parse("win-x64"))).contains(B);
  }

  @Test
  void hasNoChecksumForAPlatformWithoutMarkers() {
    RunnerRelease release = new RunnerRelease("2.330.0", Map.of(), BODY);

    assertThat(release.checksum(RunnerPlatform.parse("linux-arm64"))).isEmpty();
  }

  @Test
  void acceptsUpperCaseHexAndSurroundingSpaceButNothingElse() {
    assertThat(new RunnerRelease("1.0.0", Map.of(),
        "<!-- BEGIN SHA linux-x64 --> " + A.toUpperCase() + "\n<!-- END SHA linux-x64 -->")
        .checksum(LINUX)).contains(A);
    assertThat(new RunnerRelease("1.0.0", Map.of(),
        "<!-- BEGIN SHA linux-x64 -->" + A.substring(1) + "<!-- END SHA linux-x64 -->")
        .checksum(LINUX)).isEmpty();
    assertThat(new RunnerRelease("1.0.0", Map.of(),
        "<!-- BEGIN SHA linux-x64 -->" + A + "<!-- END SHA linux-x64 -->".replace("END", "FIN"))
        .checksum(LINUX)).isEmpty();
    assertThat(new RunnerRelease("1.0.0", Map.of(), null).checksum(LINUX)).isEmpty();
  }

  @Test
  void readsVersionAssetsAndNotesFromTheRestRepresentation() throws Exception {
    RunnerRelease release = RunnerRelease.fromJson(Json.MAPPER.readTree("""
        {"tag_name": "v2.330.0", "body": "%s",
         "assets": [{"name": "actions-runner-linux-x64-2.330.0.tar.gz", "size": 12,
                     "browser_download_url": "https://github.com/actions/runner/releases/download/v2.330.0/actions-runner-linux-x64-2.330.0.tar.gz"},
                    {"name": "no-url"}]}
        """.formatted("<!-- BEGIN SHA linux-x64 -->" + A + "<!-- END SHA linux-x64 -->")));

    assertThat(release.version()).isEqualTo("2.330.0");
    assertThat(release.asset(LINUX)).hasValueSatisfying(a -> {
      assertThat(a.size()).isEqualTo(12);
      assertThat(a.downloadUrl().getHost()).isEqualTo("github.com");
    });
    assertThat(release.assets()).hasSize(1);
    assertThat(release.checksum(LINUX)).contains(A);
  }

  @Test
  void refusesAReleaseWithoutTag() {
    assertThatThrownBy(() -> RunnerRelease.fromJson(Json.MAPPER.readTree("{\"body\": \"x\"}")))
        .hasMessageContaining("tag_name");
  }
}
