package dev.spotrunner.testkit.fakes;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.RunnerNameTaken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.github.JitConfigText;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An in-memory {@link GitHubRunners} for unit tests: runners per owner, jobs, call counters, and
 * switches to make GitHub fail or to change a runner's state right before a call (the 422 race).
 */
public final class FakeGitHub implements GitHubRunners {
  private final Clock clock;
  private final Map<RunnerOwner, Map<Long, GitHubRunner>> runners = new HashMap<>();
  private final Map<Long, WorkflowJob> jobs = new HashMap<>();
  private final Map<String, Long> groups = new LinkedHashMap<>(Map.of("default", 1L));
  private final Map<String, Integer> calls = new HashMap<>();
  private final Map<RunnerOwner, Long> installations = new HashMap<>();
  private final AtomicLong nextRunnerId = new AtomicLong(1000);
  private boolean down;
  private int jitAnswersToLose;
  private RuntimeException jitRefusal;
  private int pointsLeft = 900;
  private Consumer<Long> beforeDelete = id -> {};

  public FakeGitHub(Clock clock) {
    this.clock = clock;
  }

  /** While down, every call throws {@link TransientFailure} like a GitHub 5xx. */
  public FakeGitHub down(boolean down) {
    this.down = down;
    return this;
  }

  /**
   * The next {@code count} JIT calls register their runner and then throw {@link RunnerNameTaken},
   * as the HTTP adapter does when GitHub's answer was lost and its retry of the POST met a 409.
   */
  public synchronized FakeGitHub loseJitAnswers(int count) {
    this.jitAnswersToLose = count;
    return this;
  }

  /** Every JIT call throws this, e.g. the adapter's PermanentFailure for a 401 it could not cure. */
  public synchronized FakeGitHub refuseJitConfigs(RuntimeException refusal) {
    this.jitRefusal = refusal;
    return this;
  }

  /** Runs just before a delete is decided, e.g. to make the runner busy (the 422 race). */
  public FakeGitHub beforeDelete(Consumer<Long> hook) {
    this.beforeDelete = hook;
    return this;
  }

  public FakeGitHub job(WorkflowJob job) {
    jobs.put(job.id(), job);
    return this;
  }

  public synchronized GitHubRunner addRunner(RunnerOwner owner, String name, String status,
      boolean busy, List<String> labels) {
    GitHubRunner runner =
        new GitHubRunner(nextRunnerId.getAndIncrement(), name, status, busy, labels);
    runners.computeIfAbsent(owner, o -> new LinkedHashMap<>()).put(runner.id(), runner);
    return runner;
  }

  public synchronized void setRunner(RunnerOwner owner, GitHubRunner runner) {
    runners.computeIfAbsent(owner, o -> new LinkedHashMap<>()).put(runner.id(), runner);
  }

  public synchronized Collection<GitHubRunner> runners(RunnerOwner owner) {
    return List.copyOf(runners.getOrDefault(owner, Map.of()).values());
  }

  public synchronized int calls(String endpoint) {
    return calls.getOrDefault(endpoint, 0);
  }

  public synchronized int totalCalls() {
    return calls.values().stream().mapToInt(Integer::intValue).sum();
  }

  public synchronized Optional<Long> installation(RunnerOwner owner) {
    return Optional.ofNullable(installations.get(owner));
  }

  private void call(String endpoint) {
    calls.merge(endpoint, 1, Integer::sum);
    if (down) {
      throw new TransientFailure("GitHub answered 503 for " + endpoint);
    }
  }

  @Override
  public synchronized void knownInstallation(RunnerOwner owner, long installationId) {
    installations.put(owner, installationId);
  }

  @Override
  public synchronized RegistrationToken registrationToken(RunnerOwner owner) {
    call("registration-token");
    return new RegistrationToken("REG" + owner.login() + nextRunnerId.get(),
        clock.instant().plus(Duration.ofHours(1)));
  }

  @Override
  public synchronized JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    call("generate-jitconfig");
    if (jitRefusal != null) {
      throw jitRefusal;
    }
    if (runners.getOrDefault(owner, Map.of()).values().stream()
        .anyMatch(r -> r.name().equals(request.name()))) {
      throw new RunnerNameTaken(owner, request.name());
    }
    GitHubRunner runner = addRunner(owner, request.name(), "offline", false, request.labels());
    if (jitAnswersToLose > 0) {
      jitAnswersToLose--;
      call("generate-jitconfig");
      throw new RunnerNameTaken(owner, request.name());
    }
    // a readable head for assertions, then a body as large as GitHub's (SSM's 4 KB limit matters)
    return new JitConfig(runner, "jit-" + runner.id() + "-" + request.name() + "."
        + JitConfigText.generate(runner.id(), request.name(), owner.apiPath(),
            "https://api.github.com"));
  }

  @Override
  public synchronized Optional<GitHubRunner> runnerNamed(RunnerOwner owner, String name) {
    call("list-runners");
    return runners.getOrDefault(owner, Map.of()).values().stream()
        .filter(r -> r.name().equals(name)).findFirst();
  }

  @Override
  public synchronized List<GitHubRunner> listRunners(RunnerOwner owner) {
    call("list-runners");
    return new ArrayList<>(runners.getOrDefault(owner, Map.of()).values());
  }

  @Override
  public synchronized Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    call("get-runner");
    return Optional.ofNullable(runners.getOrDefault(owner, Map.of()).get(runnerId));
  }

  @Override
  public synchronized DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    call("delete-runner");
    beforeDelete.accept(runnerId);
    Map<Long, GitHubRunner> owned = runners.getOrDefault(owner, Map.of());
    GitHubRunner runner = owned.get(runnerId);
    if (runner == null) {
      return DeleteResult.NOT_FOUND;
    }
    if (runner.busy()) {
      return DeleteResult.BUSY;
    }
    owned.remove(runnerId);
    return DeleteResult.DELETED;
  }

  @Override
  public synchronized Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    call("get-job");
    return Optional.ofNullable(jobs.get(jobId));
  }

  @Override
  public synchronized long runnerGroupId(RunnerOwner owner, String groupName) {
    call("runner-groups");
    Long id = groups.get(groupName.toLowerCase(java.util.Locale.ROOT));
    if (id == null) {
      throw new dev.spotrunner.common.PermanentFailure("runner group '" + groupName + "' not found");
    }
    return id;
  }

  /** What {@link #pointsLeft} reports: the request points left in GitHub's current minute. */
  public synchronized FakeGitHub pointsLeft(int points) {
    this.pointsLeft = points;
    return this;
  }

  @Override
  public synchronized int pointsLeft(RunnerOwner owner) {
    return pointsLeft;
  }

  public FakeGitHub group(String name, long id) {
    groups.put(name.toLowerCase(java.util.Locale.ROOT), id);
    return this;
  }
}
