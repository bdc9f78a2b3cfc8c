package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * GitHub failing at random: each call may throw as a 5xx would; a delete may answer FAILED without
 * deleting, or delete and then lose the answer. Seeded, so a failing try can be replayed.
 */
final class ChaosGitHub extends ScriptedGitHub {
  private final GitHubRunners delegate;
  private final Random random;
  private volatile double failure;

  ChaosGitHub(GitHubRunners delegate, long seed, double failure) {
    super(delegate);
    this.delegate = delegate;
    this.random = new Random(seed);
    this.failure = failure;
  }

  void heal() {
    failure = 0;
  }

  private synchronized boolean unlucky() {
    return failure > 0 && random.nextDouble() < failure;
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    if (unlucky()) {
      throw new TransientFailure("GitHub answered 502 (chaos)");
    }
    return super.listRunners(owner);
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    if (unlucky()) {
      throw new TransientFailure("GitHub answered 503 (chaos)");
    }
    return super.getRunner(owner, runnerId);
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    if (unlucky()) {
      throw new TransientFailure("GitHub answered 500 (chaos)");
    }
    return super.job(repository, jobId);
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    if (unlucky()) {
      return DeleteResult.FAILED;
    }
    if (unlucky()) {
      delegate.deleteRunner(owner, runnerId);
      throw new TransientFailure("connection reset after the delete (chaos)");
    }
    return super.deleteRunner(owner, runnerId);
  }
}
