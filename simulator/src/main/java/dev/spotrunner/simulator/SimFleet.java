package dev.spotrunner.simulator;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * EC2 as the simulation sees it: the in-memory fleet, plus spot capacity per instance type and
 * subnet. A spot CreateFleet gets its instances in the cheapest (type, subnet) pair that has
 * capacity at that moment (price-capacity-optimized, roughly); when no pair of the request has any,
 * EC2 answers {@code InsufficientInstanceCapacity} and launches nothing, so the launcher's
 * on-demand failover runs. Remembers each instance's type and subnet for reclaim waves and prices.
 */
final class SimFleet implements RunnerFleet {
  static final String NO_CAPACITY = "InsufficientInstanceCapacity";

  /** Where an instance runs. */
  record Placement(String instanceType, String subnet) {}

  private final InMemoryRunnerFleet fleet;
  private final Clock clock;
  private final BiPredicate<Placement, Instant> spotAvailable;
  private final Map<String, Scenario.Price> prices;
  private final Map<InstanceId, Placement> placements = new HashMap<>();
  private final int listingLag;
  private int capacityErrors;

  SimFleet(Clock clock, BiPredicate<Placement, Instant> spotAvailable,
      Map<String, Scenario.Price> prices) {
    this(clock, spotAvailable, prices, 0);
  }

  /** {@code listingLagSeconds}: listings leave out instances younger than this (eventual consistency). */
  SimFleet(Clock clock, BiPredicate<Placement, Instant> spotAvailable,
      Map<String, Scenario.Price> prices, int listingLagSeconds) {
    this.fleet = new InMemoryRunnerFleet(clock);
    this.clock = clock;
    this.listingLag = listingLagSeconds;
    this.spotAvailable = spotAvailable;
    this.prices = prices;
  }

  @Override
  public LaunchOutcome launch(LaunchSpec spec) {
    List<Placement> candidates = new ArrayList<>();
    for (String type : spec.instanceTypes()) {
      for (String subnet : spec.subnetIds().isEmpty() ? List.of("default") : spec.subnetIds()) {
        candidates.add(new Placement(type, subnet));
      }
    }
    Placement chosen = null;
    if (spec.capacityType() == CapacityType.SPOT) {
      for (Placement p : candidates) {
        if (spotAvailable.test(p, clock.instant())
            && (chosen == null || price(p, true) < price(chosen, true))) {
          chosen = p;
        }
      }
      if (chosen == null) {
        capacityErrors++;
        return new LaunchOutcome(List.of(), List.of(NO_CAPACITY));
      }
    } else {
      chosen = candidates.getFirst();
    }
    LaunchOutcome outcome = fleet.launch(spec);
    for (InstanceId id : outcome.launched()) {
      placements.putIfAbsent(id, chosen);
    }
    return outcome;
  }

  private double price(Placement p, boolean spot) {
    Scenario.Price price = prices.get(p.instanceType());
    return price == null ? Double.MAX_VALUE : spot ? price.spot() : price.onDemand();
  }

  Placement placement(InstanceId id) {
    return placements.get(id);
  }

  int capacityErrors() {
    return capacityErrors;
  }

  boolean interrupt(InstanceId id) {
    return fleet.interrupt(id);
  }

  List<RunnerInstance> all() {
    return fleet.all();
  }

  @Override
  public List<RunnerInstance> list(Map<String, String> tags) {
    if (listingLag == 0) {
      return fleet.list(tags);
    }
    Instant visible = clock.instant().minusSeconds(listingLag);
    return fleet.list(tags).stream()
        .filter(i -> i.launchTime() == null || !i.launchTime().isAfter(visible)).toList();
  }

  @Override
  public List<RunnerInstance> interrupted(Map<String, String> tags) {
    return fleet.interrupted(tags);
  }

  @Override
  public Set<InstanceId> ended(Collection<InstanceId> ids) {
    return fleet.ended(ids);
  }

  @Override
  public void tag(InstanceId instance, Map<String, String> tags) {
    fleet.tag(instance, tags);
  }

  @Override
  public void terminate(Collection<InstanceId> ids) {
    fleet.terminate(ids);
  }
}
