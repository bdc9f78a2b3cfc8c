package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.Parameters;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * When each ghost candidate was first seen, kept in one SSM parameter across cycles. EC2 is
 * eventually consistent: DescribeInstances by filter can leave out an instance launched a moment
 * ago, so a just-registered JIT runner (offline until its machine boots) looks exactly like a
 * ghost. GitHub's runner API gives no creation time, so the age of a candidate is measured from its
 * first sighting instead. Value: {@code owner#runnerId=epochSeconds,...}.
 */
public final class GhostSightings {
  /**
   * At most this many sightings are kept (about 40 characters each: within SSM's 4 KB Standard
   * tier); the oldest are kept, the newer ones are recorded once those are removed.
   */
  static final int MAX_KEPT = 100;

  private final Parameters parameters;
  private final String name;

  /** @param name the parameter, {@code <SSM_CONFIG_PATH>/<pool>/ghosts} */
  public GhostSightings(Parameters parameters, String name) {
    this.parameters = parameters;
    this.name = name;
  }

  public static String key(RunnerOwner owner, long runnerId) {
    return owner + "#" + runnerId;
  }

  /** The sightings of earlier cycles; empty when there are none. */
  public Map<String, Instant> load() {
    return parameters.get(name).map(GhostSightings::parse).orElseGet(Map::of);
  }

  /** Stores the sightings (the oldest {@value #MAX_KEPT}) when they differ from {@code before}. */
  public void save(Map<String, Instant> before, Map<String, Instant> sightings) {
    Map<String, Instant> kept = sightings.entrySet().stream()
        .sorted(Map.Entry.<String, Instant>comparingByValue()
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(MAX_KEPT)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
            LinkedHashMap::new));
    if (kept.equals(before)) {
      return;
    }
    if (kept.isEmpty()) {
      parameters.delete(name);
    } else {
      parameters.putSecure(name, format(kept));
    }
  }

  static String format(Map<String, Instant> sightings) {
    return sightings.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
        .map(e -> e.getKey() + "=" + e.getValue().getEpochSecond())
        .collect(Collectors.joining(","));
  }

  static Map<String, Instant> parse(String text) {
    Map<String, Instant> sightings = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      int eq = entry.lastIndexOf('=');
      if (eq <= 0) {
        continue;
      }
      epoch(entry.substring(eq + 1).trim())
          .ifPresent(at -> sightings.put(entry.substring(0, eq).trim(), at));
    }
    return Map.copyOf(sightings);
  }

  private static Optional<Instant> epoch(String text) {
    try {
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(text)));
    } catch (NumberFormatException e) {
      // a malformed entry is dropped: that ghost is seen anew
      return Optional.empty();
    }
  }
}
