package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ChecksumMarkerProperties {
  private static final List<String> PLATFORMS = List.of("linux-x64", "linux-arm64", "linux-arm",
      "win-x64", "win-arm64", "osx-x64", "osx-arm64");
  private static final List<String> VARIANTS = List.of("", "_noexternals", "_noruntime",
      "_noruntime_noexternals");

  /** Every platform finds its own digest, whatever the order and whatever variants sit beside it. */
  @Property(tries = 200)
  void eachPlatformFindsItsOwnChecksum(@ForAll("digests") List<String> digests,
      @ForAll long shuffleSeed) {
    List<String> lines = new ArrayList<>();
    int i = 0;
    for (String platform : PLATFORMS) {
      for (String variant : VARIANTS) {
        String marker = platform + variant;
        lines.add("- actions-runner-" + marker + ".tar.gz <!-- BEGIN SHA " + marker + " -->"
            + digests.get(i++) + "<!-- END SHA " + marker + " -->");
      }
    }
    Collections.shuffle(lines, new Random(shuffleSeed));
    RunnerRelease release = new RunnerRelease("2.330.0", Map.of(), String.join("\n", lines));

    for (int p = 0; p < PLATFORMS.size(); p++) {
      assertThat(release.checksum(RunnerPlatform.parse(PLATFORMS.get(p))))
          .contains(digests.get(p * VARIANTS.size()));
    }
  }

  @Provide
  Arbitrary<List<String>> digests() {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64)
        .list().ofSize(PLATFORMS.size() * VARIANTS.size());
  }
}
