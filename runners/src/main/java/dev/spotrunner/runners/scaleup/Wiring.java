package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.github.GitHubApps;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.common.queue.SqsJobQueue;
import dev.spotrunner.runners.launch.InvokedFunction;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Clock;
import java.time.Duration;

/**
 * Builds scale-up from the real adapters: EC2 and SSM through the SDK clients, GitHub through the
 * App (installation tokens cached, requests governed to GitHub's secondary limits). Nothing here
 * opens a connection or reads a secret: both happen on first use, after any SnapStart restore.
 */
public final class Wiring {
  /**
   * Scale-up's governor: GitHub's limits with this container's share (Terraform's
   * {@code GITHUB_POINTS_PER_MINUTE}), 5xx and network errors retried for up to 10 s, and no wait
   * for budget: scale-up calls GitHub while it holds its pool's launch lock, so a call the share
   * or a GitHub block cannot take now fails with {@code GitHubLimited} at once and its job goes
   * back to the queue with the pool's backoff (docs/scale-up.md).
   */
  public static final GovernorLimits GITHUB_LIMITS = GovernorLimits.GITHUB
      .withBackoff(GovernorLimits.GITHUB.firstBackoff(), Duration.ofSeconds(10))
      .withoutBudgetWait();

  private Wiring() {}

  /** The Lambda's wiring: AWS from the SDK's environment, the system clock. */
  static ScaleUp scaleUp(ScaleUpSettings settings) {
    return scaleUp(settings, AwsClients.fromEnv(System.getenv()), Clock.systemUTC());
  }

  /** Wiring against given AWS clients (the integration tests and the benchmark use emulators). */
  public static ScaleUp scaleUp(ScaleUpSettings settings, AwsClients aws, Clock clock) {
    Parameters parameters = new SsmParameters(aws.ssm(), clock);
    SqsJobQueue queue = new SqsJobQueue(aws.sqs());
    JobRechecks rechecks = settings.rechecks()
        ? JobRechecks.on(queue, settings.queueUrl()) : JobRechecks.NONE;
    JobReturns returns = JobReturns.on(queue, settings.queueUrl(), settings.deadLetterUrl());
    LaunchLock lock = settings.launchLock() == null ? LaunchLock.NONE
        : new SsmLaunchLock(aws.ssm(), settings.launchLock(), settings.launchLockLease(), clock);
    RunnerFleet fleet = new Ec2RunnerFleet(aws.ec2());
    GitHubRunners github = github(settings.pool(), parameters, clock, GITHUB_LIMITS);
    return new ScaleUp(settings, fleet, github, launcher(settings, fleet, github,
        parameters, clock), rechecks, returns, lock, System.out::println, clock);
  }

  private static RunnerLauncher launcher(ScaleUpSettings settings, RunnerFleet fleet,
      GitHubRunners github, Parameters parameters, Clock clock) {
    return new RunnerLauncher(settings.pool(), fleet, github, parameters, new RunnerConfigs(
        settings.pool(), github, clock, InvokedFunction::arn, settings.runnerConfigKmsKeyId()));
  }

  public static ScaleUp scaleUp(ScaleUpSettings settings, RunnerFleet fleet, Parameters parameters,
      GitHubRunners github, Clock clock) {
    return scaleUp(settings, fleet, parameters, github, JobRechecks.NONE, clock);
  }

  public static ScaleUp scaleUp(ScaleUpSettings settings, RunnerFleet fleet, Parameters parameters,
      GitHubRunners github, JobRechecks rechecks, Clock clock) {
    return new ScaleUp(settings, fleet, github,
        launcher(settings, fleet, github, parameters, clock), rechecks, clock);
  }

  /** The GitHub Apps of the pool's settings; their keys are read from SSM on first use. */
  public static GitHubRunners github(PoolSettings pool, Parameters parameters, Clock clock,
      GovernorLimits limits) {
    return GitHubApps.create(pool.github(), parameters, clock, limits, Sleeper.REAL);
  }
}
