package dev.spotrunner.local.agent;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the simulated runner machines and the demo ask of GitHub: the runner agent's side of the
 * Actions service (register, take a job, report it) and the user's side (queue a job). The stack
 * implements it over the GitHub stand-in; GitHub then sends the {@code workflow_job} webhooks.
 */
public interface GitHubSide {

  /** Queues a job: GitHub sends a signed {@code workflow_job} {@code queued} webhook. */
  long queueJob(String repository, List<String> labels, Duration runTime);

  /** Registers a runner from the encoded JIT config scale-up stored for it; returns the runner id. */
  long registerJit(String encodedJitConfig);

  /** Registers a runner with a registration token, as {@code config.sh} does; returns the runner id. */
  long registerWithToken(String url, String token, String name, List<String> labels, boolean ephemeral);

  /**
   * Assigns a queued job whose labels this runner serves and marks it in progress (GitHub sends the
   * {@code in_progress} webhook); empty when no such job waits.
   */
  Optional<AssignedJob> takeJob(long runnerId);

  /** Marks the job completed (GitHub sends the {@code completed} webhook); an ephemeral runner goes away. */
  void completeJob(long runnerId, long jobId, String conclusion);

  /**
   * The runner's machine is going away mid-job (spot's termination after its two-minute warning
   * sends the runner its shutdown signal): GitHub fails the job (conclusion {@code failure}, the
   * {@code completed} webhook) and keeps the runner, offline, until someone removes it — the ghost
   * the interruption function removes when the instance's termination is reported.
   */
  void loseJob(long runnerId, long jobId);

  /** Whether GitHub still knows the runner (scale-down may have deleted it). */
  boolean runnerExists(long runnerId);

  /** The runner process stopped (its machine went away): the runner shows offline. */
  void runnerStopped(long runnerId);

  /** A job given to a runner, with how long it runs. */
  record AssignedJob(long jobId, String repository, List<String> labels, Duration runTime) {
    public AssignedJob {
      labels = List.copyOf(labels);
    }
  }
}
