package dev.spotrunner.runners.scaledown.bench;

import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Adds a fixed latency to every call of a {@link GitHubRunners} (sleeping outside the delegate, so
 * concurrent callers overlap as they would over HTTP) and records each call with its point cost.
 */
final class LatencyGitHub implements GitHubRunners {
  record Call(long nanos, String login, String kind, long runnerId, int points) {}

  private final GitHubRunners delegate;
  private final Duration latency;
  private final List<Call> calls = new ArrayList<>();

  LatencyGitHub(GitHubRunners delegate, Duration latency) {
    this.delegate = delegate;
    this.latency = latency;
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  private void call(RunnerOwner owner, String kind, long runnerId, int points) {
    synchronized (this) {
      calls.add(new Call(System.nanoTime(), owner.login(), kind, runnerId, points));
    }
    try {
      Thread.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    delegate.knownInstallation(owner, installationId);
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    call(owner, "registration-token", 0, 5);
    return delegate.registrationToken(owner);
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    call(owner, "generate-jitconfig", 0, 5);
    return delegate.jitConfig(owner, request);
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    call(owner, "list", 0, 1);
    return delegate.listRunners(owner);
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    call(owner, "get", runnerId, 1);
    return delegate.getRunner(owner, runnerId);
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    call(owner, "delete", runnerId, 5);
    return delegate.deleteRunner(owner, runnerId);
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    call(repository, "job", jobId, 1);
    return delegate.job(repository, jobId);
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    return delegate.runnerGroupId(owner, groupName);
  }
}
