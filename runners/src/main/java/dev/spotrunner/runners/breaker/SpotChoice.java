package dev.spotrunner.runners.breaker;

import dev.spotrunner.common.fleet.CapacityType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a spot launch asks for once the breakers are applied: the instance types and subnets whose
 * breaker is not open (half-open ones are the probe), or on-demand with everything when no type or
 * no subnet is left and the pool may fail over.
 */
public record SpotChoice(CapacityType capacityType, List<String> instanceTypes,
    List<String> subnetIds, List<String> openBreakers) {

  public SpotChoice {
    instanceTypes = List.copyOf(instanceTypes);
    subnetIds = List.copyOf(subnetIds);
    openBreakers = List.copyOf(openBreakers);
  }

  public static SpotChoice of(List<String> types, List<String> subnets, BreakerState state,
      Instant now, boolean onDemandFailover) {
    List<String> open = new ArrayList<>();
    List<String> okTypes = keep(types, BreakerKeys::instanceType, state, now, open);
    List<String> okSubnets = keep(subnets, BreakerKeys::subnet, state, now, open);
    // A pool without subnets lets EC2 choose (the launch template's): only types can narrow it.
    boolean nothingLeft = okTypes.isEmpty() || (!subnets.isEmpty() && okSubnets.isEmpty());
    if (nothingLeft) {
      // the pool said never on-demand: spot everywhere beats no runner at all
      return new SpotChoice(onDemandFailover ? CapacityType.ON_DEMAND : CapacityType.SPOT, types,
          subnets, open);
    }
    return new SpotChoice(CapacityType.SPOT, okTypes, okSubnets, open);
  }

  private static List<String> keep(List<String> values,
      java.util.function.Function<String, String> key, BreakerState state, Instant now,
      List<String> open) {
    List<String> kept = new ArrayList<>();
    for (String value : values) {
      if (state.phase(key.apply(value), now) == SpotBreaker.Phase.OPEN) {
        open.add(key.apply(value));
      } else {
        kept.add(value);
      }
    }
    return kept;
  }
}
