package dev.spotrunner.simulator;

import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counts what spotrunner's own code asks of GitHub, in calls and in secondary-limit points per
 * minute of simulated time (GET 1 point, POST/DELETE 5), as GitHub would account them.
 */
final class MeteredGitHub implements GitHubRunners {
  static final int GET = 1;
  static final int MUTATE = 5;

  private final GitHubRunners delegate;
  private final Clock clock;
  private final TreeMap<Long, Integer> pointsByMinute = new TreeMap<>();
  private long calls;

  MeteredGitHub(GitHubRunners delegate, Clock clock) {
    this.delegate = delegate;
    this.clock = clock;
  }

  private synchronized void spend(int points) {
    calls++;
    pointsByMinute.merge(clock.instant().getEpochSecond() / 60, points, Integer::sum);
  }

  synchronized long calls() {
    return calls;
  }

  synchronized int pointsThisMinute() {
    return pointsByMinute.getOrDefault(clock.instant().getEpochSecond() / 60, 0);
  }

  synchronized int peakPointsPerMinute() {
    return pointsByMinute.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  synchronized Map<Long, Integer> pointsByMinute() {
    return Map.copyOf(pointsByMinute);
  }

  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    delegate.knownInstallation(owner, installationId);
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    spend(MUTATE);
    return delegate.registrationToken(owner);
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    spend(MUTATE);
    return delegate.jitConfig(owner, request);
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    List<GitHubRunner> runners = delegate.listRunners(owner);
    // one GET per page of 100
    int pages = Math.max(1, (runners.size() + 99) / 100);
    for (int i = 0; i < pages; i++) {
      spend(GET);
    }
    return runners;
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    spend(GET);
    return delegate.getRunner(owner, runnerId);
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    spend(MUTATE);
    return delegate.deleteRunner(owner, runnerId);
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    spend(GET);
    return delegate.job(repository, jobId);
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    spend(GET);
    return delegate.runnerGroupId(owner, groupName);
  }
}
