package dev.spotrunner.testkit.fakes;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An in-memory {@link RunnerFleet} for unit tests. Honours client tokens (a repeated token returns
 * the first launch's instances), records every request, and can be told to answer spot requests
 * with a capacity error.
 */
public final class InMemoryRunnerFleet implements RunnerFleet {
  private final Clock clock;
  private final Map<InstanceId, RunnerInstance> instances = new LinkedHashMap<>();
  private final Map<String, LaunchOutcome> byClientToken = new HashMap<>();
  private final List<LaunchSpec> launches = new ArrayList<>();
  private final List<InstanceId> terminated = new ArrayList<>();
  private final Map<InstanceId, Ended> ended = new LinkedHashMap<>();
  private final AtomicLong nextId = new AtomicLong(0x1000_0000L);
  private Function<LaunchSpec, String> capacityError = spec -> null;
  private int spotCapacity = Integer.MAX_VALUE;

  /** A terminated instance as EC2 keeps listing it for about {@link #VISIBLE_AFTER_TERMINATION}. */
  private record Ended(RunnerInstance instance, String reason, Instant at) {}

  /** How long EC2 keeps listing a terminated instance. */
  public static final Duration VISIBLE_AFTER_TERMINATION = Duration.ofHours(1);
  public static final String USER_INITIATED = "Client.UserInitiatedShutdown";
  public static final String SPOT_TERMINATION = "Server.SpotInstanceTermination";

  public InMemoryRunnerFleet(Clock clock) {
    this.clock = clock;
  }

  /** Spot requests beyond this many instances (in total) get InsufficientInstanceCapacity. */
  public InMemoryRunnerFleet spotCapacity(int instances) {
    this.spotCapacity = instances;
    return this;
  }

  /** Answers matching requests with the given EC2 error code and no instances. */
  public InMemoryRunnerFleet failLaunchesWith(Function<LaunchSpec, String> errorCode) {
    this.capacityError = errorCode;
    return this;
  }

  @Override
  public synchronized LaunchOutcome launch(LaunchSpec spec) {
    launches.add(spec);
    if (spec.clientToken() != null && byClientToken.containsKey(spec.clientToken())) {
      return byClientToken.get(spec.clientToken());
    }
    String error = capacityError.apply(spec);
    LaunchOutcome outcome;
    if (error != null) {
      outcome = new LaunchOutcome(List.of(), List.of(error));
    } else {
      int count = spec.count();
      List<String> errors = new ArrayList<>();
      if (spec.capacityType() == CapacityType.SPOT) {
        int available = Math.max(0, spotCapacity);
        if (available < count) {
          errors.add("InsufficientInstanceCapacity");
          count = available;
        }
        spotCapacity -= count;
      }
      List<InstanceId> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        InstanceId id = new InstanceId(String.format("i-%017x", nextId.getAndIncrement()));
        instances.put(id, new RunnerInstance(id, "running", clock.instant(), spec.capacityType(),
            new HashMap<>(spec.tags())));
        ids.add(id);
      }
      outcome = new LaunchOutcome(ids, errors);
    }
    if (spec.clientToken() != null) {
      byClientToken.put(spec.clientToken(), outcome);
    }
    return outcome;
  }

  @Override
  public synchronized List<RunnerInstance> list(Map<String, String> tags) {
    return instances.values().stream()
        .filter(i -> tags.entrySet().stream()
            .allMatch(t -> t.getValue().equals(i.tags().get(t.getKey()))))
        .toList();
  }

  @Override
  public synchronized List<RunnerInstance> interrupted(Map<String, String> tags) {
    Instant since = clock.instant().minus(VISIBLE_AFTER_TERMINATION);
    return ended.values().stream()
        .filter(e -> e.at().isAfter(since) && INTERRUPTION_CODES.contains(e.reason()))
        .map(Ended::instance)
        .filter(i -> tags.entrySet().stream()
            .allMatch(t -> t.getValue().equals(i.tags().get(t.getKey()))))
        .toList();
  }

  /** Spot takes the instance away: gone from the live set, listed as interrupted for an hour. */
  public synchronized boolean interrupt(InstanceId id) {
    return end(id, SPOT_TERMINATION);
  }

  private boolean end(InstanceId id, String reason) {
    RunnerInstance live = instances.remove(id);
    if (live == null) {
      return false;
    }
    // EC2 forgets terminated instances; so does the fake, or long simulations would grow it forever.
    Instant forgotten = clock.instant().minus(VISIBLE_AFTER_TERMINATION);
    ended.values().removeIf(e -> !e.at().isAfter(forgotten));
    ended.put(id, new Ended(new RunnerInstance(id, "terminated", live.launchTime(),
        live.capacityType(), live.tags()), reason, clock.instant()));
    return true;
  }

  @Override
  public synchronized java.util.Set<InstanceId> ended(Collection<InstanceId> ids) {
    // Instances it never launched count as alive, as EC2 treats ids it cannot describe yet.
    return ids.stream().filter(id -> !instances.containsKey(id) && everLaunched(id))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  private boolean everLaunched(InstanceId id) {
    return ended.containsKey(id) || terminated.contains(id)
        || byClientToken.values().stream().anyMatch(o -> o.launched().contains(id));
  }

  @Override
  public synchronized void tag(InstanceId instance, Map<String, String> tags) {
    RunnerInstance current = instances.get(instance);
    if (current == null) {
      return;
    }
    Map<String, String> merged = new HashMap<>(current.tags());
    merged.putAll(tags);
    instances.put(instance, new RunnerInstance(instance, current.state(), current.launchTime(),
        current.capacityType(), merged));
  }

  @Override
  public synchronized void terminate(Collection<InstanceId> ids) {
    for (InstanceId id : ids) {
      if (end(id, USER_INITIATED)) {
        terminated.add(id);
      }
    }
  }

  /** Adds an instance as if launched earlier (for scale-down tests). */
  public synchronized RunnerInstance add(RunnerInstance instance) {
    instances.put(instance.id(), instance);
    return instance;
  }

  public synchronized List<LaunchSpec> launches() {
    return List.copyOf(launches);
  }

  public synchronized List<InstanceId> terminated() {
    return List.copyOf(terminated);
  }

  public synchronized List<RunnerInstance> all() {
    return List.copyOf(instances.values());
  }
}
