package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.fleet.InstanceId;
import java.util.Map;

/**
 * An instance as an interruption needs it, in any state: where it ran (type, zone, subnet) for the
 * metric and the breakers, and its tags for whose it is and which runner and job it had.
 */
public record InstanceFacts(InstanceId id, String state, String instanceType,
    String availabilityZone, String subnetId, boolean spot, Map<String, String> tags) {
  public InstanceFacts {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    instanceType = instanceType == null ? "unknown" : instanceType;
    availabilityZone = availabilityZone == null ? "unknown" : availabilityZone;
  }

  public String tag(String name) {
    return tags.get(name);
  }
}
