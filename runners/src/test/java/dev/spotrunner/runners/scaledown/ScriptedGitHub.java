package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** A {@link GitHubRunners} decorator whose calls a test can intercept, one hook per call kind. */
class ScriptedGitHub implements GitHubRunners {
  private final GitHubRunners delegate;
  Consumer<RunnerOwner> beforeList = owner -> {};
  Consumer<RunnerOwner> afterList = owner -> {};
  BiFunction<RunnerOwner, Long, DeleteResult> deleteAnswer = (owner, id) -> null;
  BiFunction<RunnerOwner, Long, Boolean> getFails = (owner, id) -> false;
  Consumer<Long> afterGet = id -> {};

  ScriptedGitHub(GitHubRunners delegate) {
    this.delegate = delegate;
  }

  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    delegate.knownInstallation(owner, installationId);
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    return delegate.registrationToken(owner);
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    return delegate.jitConfig(owner, request);
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    beforeList.accept(owner);
    List<GitHubRunner> runners = delegate.listRunners(owner);
    afterList.accept(owner);
    return runners;
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    if (getFails.apply(owner, runnerId)) {
      throw new dev.spotrunner.common.TransientFailure("GitHub answered 502");
    }
    Optional<GitHubRunner> runner = delegate.getRunner(owner, runnerId);
    afterGet.accept(runnerId);
    return runner;
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    DeleteResult scripted = deleteAnswer.apply(owner, runnerId);
    return scripted != null ? scripted : delegate.deleteRunner(owner, runnerId);
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    return delegate.job(repository, jobId);
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    return delegate.runnerGroupId(owner, groupName);
  }
}
