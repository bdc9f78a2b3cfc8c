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

  /**
   * A slot without a runner. {@code errorCode} names the cause for the {@code LaunchFailures}
   * metric: CreateFleet's error code ({@code InsufficientInstanceCapacity}), AWS's error code of a
   * failed call, or the failure's type ({@code TransientFailure}); {@value #UNKNOWN} when none is known.
   */
  public record Failed(RunnerSlot slot, String reason, boolean retryable, String errorCode) {
    public static final String UNKNOWN = "unknown";

    public Failed {
      errorCode = errorCode == null || errorCode.isBlank() ? UNKNOWN : errorCode;
    }

    public Failed(RunnerSlot slot, String reason, boolean retryable) {
      this(slot, reason, retryable, UNKNOWN);
    }
  }

  public LaunchResult {
    launched = List.copyOf(launched);
    failed = List.copyOf(failed);
  }

  public static LaunchResult allFailed(List<RunnerSlot> slots, String reason, boolean retryable) {
    return allFailed(slots, reason, retryable, Failed.UNKNOWN);
  }

  public static LaunchResult allFailed(List<RunnerSlot> slots, String reason, boolean retryable,
      String errorCode) {
    List<Failed> failed = new ArrayList<>();
    for (RunnerSlot slot : slots) {
      failed.add(new Failed(slot, reason, retryable, errorCode));
    }
    return new LaunchResult(List.of(), failed);
  }
}
