package dev.spotrunner.simulator;

import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.TransientFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * GitHub's API as spotrunner's own code meets it: counts calls and secondary-limit points per
 * minute of simulated time (GET 1 point, POST/DELETE 5), per pool and overall, and enforces the
 * budget the scenario gives (900 points per minute per installation): a call that does not fit is
 * refused with a secondary-limit answer, and every call until its {@code retry-after} has passed is
 * refused too. During an outage every call fails. Both surface as the {@link TransientFailure} the
 * HTTP adapter throws once its request governor gives up; the caller's retry path takes over.
 */
final class MeteredGitHub implements GitHubRunners {
  static final int GET = 1;
  static final int MUTATE = 5;

  private final GitHubRunners delegate;
  private final Clock clock;
  private final int limit;
  private final int retryAfterSeconds;
  private final List<Scenario.Outage> outages;
  private final TreeMap<Long, Integer> pointsByMinute = new TreeMap<>();
  private final Map<String, TreeMap<Long, Integer>> byPool = new TreeMap<>();
  private String pool = "";
  private Instant blockedUntil = Instant.MIN;
  private long calls;
  private long refused;
  private long failedInOutage;

  MeteredGitHub(GitHubRunners delegate, Clock clock) {
    this(delegate, clock, Integer.MAX_VALUE, 60, List.of());
  }

  MeteredGitHub(GitHubRunners delegate, Clock clock, int limit, int retryAfterSeconds,
      List<Scenario.Outage> outages) {
    this.delegate = delegate;
    this.clock = clock;
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
    this.outages = List.copyOf(outages);
  }

  /** Whose calls follow (a pool's scale-up or scale-down), for the per-pool peak. */
  synchronized void actingFor(String poolName) {
    this.pool = poolName == null ? "" : poolName;
  }

  private synchronized void spend(int points) {
    Instant now = clock.instant();
    for (Scenario.Outage outage : outages) {
      if (!now.isBefore(outage.start())
          && now.isBefore(outage.start().plusSeconds(60L * outage.minutes()))) {
        failedInOutage++;
        throw new TransientFailure("GitHub answered 503 (outage)");
      }
    }
    long minute = now.getEpochSecond() / 60;
    if (now.isBefore(blockedUntil) || pointsByMinute.getOrDefault(minute, 0) + points > limit) {
      refused++;
      if (!now.isBefore(blockedUntil)) {
        blockedUntil = now.plusSeconds(retryAfterSeconds);
      }
      throw new TransientFailure("GitHub answered 403: secondary rate limit, retry-after "
          + Duration.between(now, blockedUntil).toSeconds() + " s");
    }
    calls++;
    pointsByMinute.merge(minute, points, Integer::sum);
    byPool.computeIfAbsent(pool, k -> new TreeMap<>()).merge(minute, points, Integer::sum);
  }

  synchronized long refused() {
    return refused;
  }

  synchronized long failedInOutage() {
    return failedInOutage;
  }

  synchronized int peakPointsPerMinute(String poolName) {
    return byPool.getOrDefault(poolName, new TreeMap<>()).values().stream()
        .mapToInt(Integer::intValue).max().orElse(0);
  }

  @Override
  public synchronized int pointsLeft(RunnerOwner owner) {
    Instant now = clock.instant();
    if (now.isBefore(blockedUntil)) {
      return 0;
    }
    return limit == Integer.MAX_VALUE ? Integer.MAX_VALUE
        : Math.max(0, limit - pointsByMinute.getOrDefault(now.getEpochSecond() / 60, 0));
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

  /** What the simulation itself does on GitHub's side (no API call of ours). */
  GitHubRunners unmetered() {
    return delegate;
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
