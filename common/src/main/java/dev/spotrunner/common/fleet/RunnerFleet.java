package dev.spotrunner.common.fleet;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The EC2 instances that host runners. Adapters throw {@link dev.spotrunner.common.TransientFailure}
 * on throttling, 5xx and network errors. Capacity shortfalls are not exceptions: they come back in
 * {@link LaunchOutcome#errors()} so the caller can fail over to on-demand.
 */
public interface RunnerFleet {

  /** One EC2 CreateFleet of type {@code instant} for {@code spec.count()} instances. */
  LaunchOutcome launch(LaunchSpec spec);

  /** Instances in state pending or running that carry every given tag. */
  List<RunnerInstance> list(Map<String, String> tags);

  /** Adds or replaces tags on one instance. */
  void tag(InstanceId instance, Map<String, String> tags);

  /** Terminates the instances; unknown ids are ignored. */
  void terminate(Collection<InstanceId> instances);
}
