package dev.spotrunner.common.fleet;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One CreateFleet request: launch template, overrides (every instance type in every subnet), how
 * many, how they are bought, the tags every instance gets, and the idempotency token.
 *
 * @param maxSpotPrice per-hour price cap in USD, or null for the on-demand price
 * @param clientToken EC2's idempotency key (≤ 64 ASCII characters): the same token never launches twice
 */
public record LaunchSpec(
    String launchTemplateName,
    List<String> instanceTypes,
    List<String> subnetIds,
    int count,
    CapacityType capacityType,
    String spotAllocationStrategy,
    String maxSpotPrice,
    Map<String, String> tags,
    String clientToken) {

  public LaunchSpec {
    Objects.requireNonNull(launchTemplateName, "launchTemplateName");
    if (instanceTypes == null || instanceTypes.isEmpty()) {
      throw new IllegalArgumentException("at least one instance type is required");
    }
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    if (clientToken != null && clientToken.length() > 64) {
      throw new IllegalArgumentException("clientToken longer than 64 characters");
    }
    instanceTypes = List.copyOf(instanceTypes);
    subnetIds = subnetIds == null ? List.of() : List.copyOf(subnetIds);
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    Objects.requireNonNull(capacityType, "capacityType");
    spotAllocationStrategy =
        spotAllocationStrategy == null ? "price-capacity-optimized" : spotAllocationStrategy;
  }

  public LaunchSpec withCount(int newCount, CapacityType type, String token) {
    return new LaunchSpec(launchTemplateName, instanceTypes, subnetIds, newCount, type,
        spotAllocationStrategy, maxSpotPrice, tags, token);
  }
}
