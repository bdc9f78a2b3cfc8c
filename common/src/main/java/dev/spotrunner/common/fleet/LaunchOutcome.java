package dev.spotrunner.common.fleet;

import java.util.List;
import java.util.Set;

/** What CreateFleet launched, and the error codes it reported for what it could not. */
public record LaunchOutcome(List<InstanceId> launched, List<String> errors) {
  /** EC2 error codes that mean "no spot capacity now", after which on-demand may be tried. */
  public static final Set<String> CAPACITY_ERRORS = Set.of(
      "InsufficientInstanceCapacity",
      "MaxSpotInstanceCountExceeded",
      "SpotMaxPriceTooLow",
      "UnfulfillableCapacity",
      "InsufficientCapacity");

  public LaunchOutcome {
    launched = List.copyOf(launched);
    errors = List.copyOf(errors);
  }

  public boolean capacityShortfall() {
    return errors.stream().anyMatch(CAPACITY_ERRORS::contains);
  }
}
