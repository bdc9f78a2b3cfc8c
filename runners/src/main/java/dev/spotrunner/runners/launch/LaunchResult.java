package dev.spotrunner.runners.launch;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What a launch did for each slot: a runner (an instance holding its config) or a failure, which is
 * retryable (the message goes back to the queue) or not (the job itself can never be served).
 * {@link RunnerLauncher} reports every failure retryable: a failed step is no verdict on the job.
 */
public record LaunchResult(List<Launched> launched, List<Failed> failed) {

  public record Launched(RunnerSlot slot, InstanceId instance, String runnerName,
      CapacityType capacityType, LaunchOutcome.Placement placement) {}

  public record Failed(RunnerSlot slot, String reason, boolean retryable) {}

  public LaunchResult {
    launched = List.copyOf(launched);
    failed = List.copyOf(failed);
  }

  public static LaunchResult allFailed(List<RunnerSlot> slots, String reason, boolean retryable) {
    List<Failed> failed = new ArrayList<>();
    for (RunnerSlot slot : slots) {
      failed.add(new Failed(slot, reason, retryable));
    }
    return new LaunchResult(List.of(), failed);
  }
}
