package dev.spotrunner.common.fleet;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The EC2 instances that host runners. Adapters throw {@link dev.spotrunner.common.TransientFailure}
 * on throttling, 5xx and network errors. Capacity shortfalls are not exceptions: they come back in
 * {@link LaunchOutcome#errors()} so the caller can fail over to on-demand.
 */
public interface RunnerFleet {

  /**
   * EC2's {@code StateReason.Code}s for an instance that EC2 itself took away: spot reclaimed it or
   * it failed during launch. Instances we terminate say {@code Client.UserInitiatedShutdown}, those
   * that shut themselves down (a finished ephemeral runner) {@code Client.InstanceInitiatedShutdown}.
   */
  Set<String> INTERRUPTION_CODES = Set.of("Server.SpotInstanceTermination",
      "Server.SpotInstanceShutdown", "Server.InternalError", "Server.InsufficientInstanceCapacity");

  /** One EC2 CreateFleet of type {@code instant} for {@code spec.count()} instances. */
  LaunchOutcome launch(LaunchSpec spec);

  /** Instances in state pending or running that carry every given tag. */
  List<RunnerInstance> list(Map<String, String> tags);

  /**
   * Instances in state shutting-down or terminated that carry every given tag and whose state
   * reason is one of {@link #INTERRUPTION_CODES}. EC2 lists a terminated instance for about an hour,
   * so this sees the interruptions of roughly the last hour. Scale-down's fleets implement it; the
   * default is for views of the fleet that never decide about runners (a runner machine's own).
   */
  default List<RunnerInstance> interrupted(Map<String, String> tags) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not list interrupted instances");
  }

  /**
   * Of the given instances, those in state shutting-down or terminated. An id EC2 does not know
   * (yet: a new instance may take a moment to be described) is not ended. Launchers use it because
   * CreateFleet answers a repeated client token with the first call's instances, even when those
   * have ended since.
   */
  default Set<InstanceId> ended(Collection<InstanceId> instances) {
    throw new UnsupportedOperationException(
        getClass().getName() + " does not tell ended instances");
  }

  /**
   * Adds or replaces tags on one instance. An instance launched moments ago may not be known to EC2
   * yet: the EC2 adapter retries it with backoff, then throws a TransientFailure.
   */
  void tag(InstanceId instance, Map<String, String> tags);

  /**
   * Terminates the instances; unknown ids are ignored, except instances launched moments ago, which
   * EC2 may not know yet: those are retried with backoff, and any still unknown make the call throw
   * a TransientFailure after the others were terminated.
   */
  void terminate(Collection<InstanceId> instances);
}
