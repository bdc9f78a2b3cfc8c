package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * common's {@link FakeGitHub} plus job outcomes and re-runs: a job set with {@link #outcome} is
 * answered by {@link #jobOutcome}; {@link #rerunJob} refuses a job that has not completed, as GitHub
 * does, and records the ones it accepts.
 */
final class RerunGitHub implements GitHubRunners {
  final FakeGitHub runners;
  private final Map<Long, JobOutcome> outcomes = new HashMap<>();
  private final List<Long> reruns = new ArrayList<>();
  private int outcomeCalls;

  RerunGitHub(FakeGitHub runners) {
    this.runners = runners;
  }

  synchronized RerunGitHub outcome(JobOutcome outcome) {
    outcomes.put(outcome.id(), outcome);
    return this;
  }

  synchronized List<Long> reruns() {
    return List.copyOf(reruns);
  }

  synchronized int outcomeCalls() {
    return outcomeCalls;
  }

  @Override
  public synchronized Optional<JobOutcome> jobOutcome(RunnerOwner repository, long jobId) {
    outcomeCalls++;
    return Optional.ofNullable(outcomes.get(jobId));
  }

  @Override
  public synchronized RerunAnswer rerunJob(RunnerOwner repository, long jobId) {
    JobOutcome job = outcomes.get(jobId);
    if (job == null || !job.completed()) {
      return RerunAnswer.REFUSED;
    }
    reruns.add(jobId);
    return RerunAnswer.ACCEPTED;
  }

  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    runners.knownInstallation(owner, installationId);
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    return runners.registrationToken(owner);
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    return runners.jitConfig(owner, request);
  }

  @Override
  public Optional<GitHubRunner> runnerNamed(RunnerOwner owner, String name) {
    return runners.runnerNamed(owner, name);
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    return runners.listRunners(owner);
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    return runners.getRunner(owner, runnerId);
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    return runners.deleteRunner(owner, runnerId);
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    return runners.job(repository, jobId);
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    return runners.runnerGroupId(owner, groupName);
  }

  @Override
  public int pointsLeft(RunnerOwner owner) {
    return runners.pointsLeft(owner);
  }
}
