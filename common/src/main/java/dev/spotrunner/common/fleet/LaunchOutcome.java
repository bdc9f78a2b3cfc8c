package dev.spotrunner.common.fleet;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What CreateFleet launched, where (instance type and Availability Zone per instance, when EC2 said),
 * and the error codes it reported for what it could not.
 */
public record LaunchOutcome(List<InstanceId> launched, List<String> errors, Map<InstanceId, Placement> placements) {
  /** EC2 error codes that mean "no spot capacity now", after which on-demand may be tried. */
  public static final Set<String> CAPACITY_ERRORS = Set.of(
      "InsufficientInstanceCapacity",
      "MaxSpotInstanceCountExceeded",
      "SpotMaxPriceTooLow",
      "UnfulfillableCapacity",
      "InsufficientCapacity");

  /** An instance's type and Availability Zone; {@value #UNKNOWN} for what EC2's answer did not name. */
  public record Placement(String instanceType, String zone) {
    public static final String UNKNOWN = "unknown";

    public Placement {
      instanceType = instanceType == null || instanceType.isBlank() ? UNKNOWN : instanceType;
      zone = zone == null || zone.isBlank() ? UNKNOWN : zone;
    }
  }

  public LaunchOutcome {
    launched = List.copyOf(launched);
    errors = List.copyOf(errors);
    placements = Map.copyOf(placements);
  }

  public LaunchOutcome(List<InstanceId> launched, List<String> errors) {
    this(launched, errors, Map.of());
  }

  public boolean capacityShortfall() {
    return errors.stream().anyMatch(CAPACITY_ERRORS::contains);
  }

  /** Where the instance launched, as far as EC2's answer said. */
  public Placement placement(InstanceId id) {
    return placements.getOrDefault(id, new Placement(null, null));
  }
}
