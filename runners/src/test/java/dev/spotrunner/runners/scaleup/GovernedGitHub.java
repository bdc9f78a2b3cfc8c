package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.RequestGovernor;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The in-memory GitHub behind a {@link RequestGovernor}, as the HTTP adapter puts every call of an
 * installation through it (key {@code installation:<id>}, GET 1 point, POST and DELETE 5): the
 * governor's budget, waits and blocks without HTTP. {@link #secondaryLimitNext} makes GitHub
 * answer the next calls with a secondary-limit 403 and {@code retry-after}.
 */
final class GovernedGitHub implements GitHubRunners {
  static final String KEY = "installation:42";

  private final GitHubRunners github;
  private final RequestGovernor governor;
  private final AtomicInteger refuse = new AtomicInteger();
  private final AtomicInteger attempts = new AtomicInteger();
  private volatile long retryAfterSeconds;

  GovernedGitHub(GitHubRunners github, RequestGovernor governor) {
    this.github = github;
    this.governor = governor;
  }

  GovernedGitHub secondaryLimitNext(int count, long retryAfter) {
    refuse.set(count);
    retryAfterSeconds = retryAfter;
    return this;
  }

  /** Requests that reached GitHub, answered or refused. */
  int attempts() {
    return attempts.get();
  }

  /** Spends points as another call of this container would. */
  void spend(String method) {
    call(method, "earlier call", () -> null);
  }

  private <T> T call(String method, String what, Supplier<T> action) {
    governor.execute(KEY, method, what, () -> attempts.incrementAndGet() > 0 && refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0
        ? new Answer(403, Optional.of(Long.toString(retryAfterSeconds)),
            "You have exceeded a secondary rate limit.")
        : new Answer(200, Optional.empty(), "{}"));
    return action.get();
  }

  private record Answer(int status, Optional<String> retryAfter, String body)
      implements RequestGovernor.Answer {
    @Override
    public Optional<String> header(String name) {
      return "retry-after".equals(name) ? retryAfter : Optional.empty();
    }
  }

  @Override
  public int pointsLeft(RunnerOwner owner) {
    return governor.pointsLeft(KEY);
  }

  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    github.knownInstallation(owner, installationId);
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    return call("POST", "registration token", () -> github.registrationToken(owner));
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    return call("POST", "JIT config", () -> github.jitConfig(owner, request));
  }

  @Override
  public Optional<GitHubRunner> runnerNamed(RunnerOwner owner, String name) {
    return call("GET", "runner by name", () -> github.runnerNamed(owner, name));
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    return call("GET", "list runners", () -> github.listRunners(owner));
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    return call("GET", "get runner", () -> github.getRunner(owner, runnerId));
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    return call("DELETE", "delete runner", () -> github.deleteRunner(owner, runnerId));
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    return call("GET", "job", () -> github.job(repository, jobId));
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    return call("GET", "runner group", () -> github.runnerGroupId(owner, groupName));
  }
}
