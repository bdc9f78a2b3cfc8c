package dev.spotrunner.runners.pool;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fleet with EC2's eventual consistency: listing by tags leaves out instances launched less than
 * {@code lag} ago, as DescribeInstances by filter does right after a CreateFleet (the fault proxy's
 * {@code eventualConsistency} window, as a fake, for any length). Everything else is the delegate's.
 */
public final class LaggingFleet implements RunnerFleet {
  private final RunnerFleet delegate;
  private final Clock clock;
  private final Duration lag;

  public LaggingFleet(RunnerFleet delegate, Clock clock, Duration lag) {
    this.delegate = delegate;
    this.clock = clock;
    this.lag = lag;
  }

  @Override
  public LaunchOutcome launch(LaunchSpec spec) {
    return delegate.launch(spec);
  }

  @Override
  public List<RunnerInstance> list(Map<String, String> tags) {
    return delegate.list(tags).stream()
        .filter(i -> i.launchTime() == null || !i.launchTime().plus(lag).isAfter(clock.instant()))
        .toList();
  }

  @Override
  public List<RunnerInstance> interrupted(Map<String, String> tags) {
    return delegate.interrupted(tags);
  }

  @Override
  public Set<InstanceId> ended(Collection<InstanceId> instances) {
    return delegate.ended(instances);
  }

  @Override
  public void tag(InstanceId instance, Map<String, String> tags) {
    delegate.tag(instance, tags);
  }

  @Override
  public void terminate(Collection<InstanceId> instances) {
    delegate.terminate(instances);
  }
}
