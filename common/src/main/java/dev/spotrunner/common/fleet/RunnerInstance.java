package dev.spotrunner.common.fleet;

import java.time.Instant;
import java.util.Map;

/** A pending or running instance with its tags (see {@link Tags} for the names spotrunner sets). */
public record RunnerInstance(
    InstanceId id, String state, Instant launchTime, CapacityType capacityType, Map<String, String> tags) {
  public RunnerInstance {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public String tag(String name) {
    return tags.get(name);
  }
}
