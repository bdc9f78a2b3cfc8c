package dev.spotrunner.simulator;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubLimited;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * GitHub's API as one GitHub App of spotrunner's meets it: counts calls and secondary-limit points
 * per minute of simulated time (GET 1 point, POST/DELETE 5), per pool and overall, and enforces the
 * budget the scenario gives per installation of this App (900 points a minute; each App's
 * installation on an account has its own): a call that does not fit is refused with a
 * secondary-limit answer, and every call to that installation until its {@code retry-after} has
 * passed is refused too. During an outage every call fails. A refusal surfaces as the
 * {@link GitHubLimited} the HTTP adapter's request governor throws once it gives up (so the real
 * {@code GitHubApps} tries another App), an outage as a {@link TransientFailure}; the caller's
 * retry path takes over.
 */
final class MeteredGitHub implements GitHubRunners {
  static final int GET = 1;
  static final int MUTATE = 5;

  /** What GitHub knows of jobs beyond the runners port: outcomes and re-runs (the simulation). */
  interface Jobs {
    Optional<JobOutcome> outcome(long jobId);

    RerunAnswer rerun(long jobId);
  }

  private final GitHubRunners delegate;
  private final Clock clock;
  private final int limit;
  private final int retryAfterSeconds;
  private final List<Scenario.Outage> outages;
  private final Jobs jobs;
  /** Per installation (the account's login) and minute: what the limit counts. */
  private final Map<String, TreeMap<Long, Integer>> byInstallation = new HashMap<>();
  private final Map<String, Instant> blockedUntil = new HashMap<>();
  private final TreeMap<Long, Integer> pointsByMinute = new TreeMap<>();
  private final Map<String, TreeMap<Long, Integer>> byPool = new TreeMap<>();
  private String pool = "";
  private long calls;
  private long refused;
  private long failedInOutage;

  MeteredGitHub(GitHubRunners delegate, Clock clock) {
    this(delegate, clock, Integer.MAX_VALUE, 60, List.of(), null);
  }

  MeteredGitHub(GitHubRunners delegate, Clock clock, int limit, int retryAfterSeconds,
      List<Scenario.Outage> outages, Jobs jobs) {
    this.delegate = delegate;
    this.clock = clock;
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
    this.outages = List.copyOf(outages);
    this.jobs = jobs;
  }

  /** Whose calls follow (a pool's scale-up or scale-down), for the per-pool peak. */
  synchronized void actingFor(String poolName) {
    this.pool = poolName == null ? "" : poolName;
  }

  private synchronized void spend(RunnerOwner owner, int points) {
    Instant now = clock.instant();
    for (Scenario.Outage outage : outages) {
      if (!now.isBefore(outage.start())
          && now.isBefore(outage.start().plusSeconds(60L * outage.minutes()))) {
        failedInOutage++;
        throw new TransientFailure("GitHub answered 503 (outage)");
      }
    }
    long minute = now.getEpochSecond() / 60;
    String installation = owner.login();
    TreeMap<Long, Integer> spent = byInstallation.computeIfAbsent(installation,
        k -> new TreeMap<>());
    Instant blocked = blockedUntil.getOrDefault(installation, Instant.MIN);
    if (now.isBefore(blocked) || spent.getOrDefault(minute, 0) + points > limit) {
      refused++;
      if (!now.isBefore(blocked)) {
        blocked = now.plusSeconds(retryAfterSeconds);
        blockedUntil.put(installation, blocked);
      }
      throw new GitHubLimited("GitHub answered 403: secondary rate limit, retry-after "
          + Duration.between(now, blocked).toSeconds() + " s");
    }
    calls++;
    spent.merge(minute, points, Integer::sum);
    pointsByMinute.merge(minute, points, Integer::sum);
    byPool.computeIfAbsent(pool, k -> new TreeMap<>()).merge(minute, points, Integer::sum);
  }

  synchronized long refused() {
    return refused;
  }

  synchronized long failedInOutage() {
    return failedInOutage;
  }

  /** Points this App spent per minute for a pool (all installations). */
  synchronized Map<Long, Integer> pointsByMinute(String poolName) {
    return Map.copyOf(byPool.getOrDefault(poolName, new TreeMap<>()));
  }

  @Override
  public synchronized int pointsLeft(RunnerOwner owner) {
    Instant now = clock.instant();
    if (now.isBefore(blockedUntil.getOrDefault(owner.login(), Instant.MIN))) {
      return 0;
    }
    return limit == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(0, limit
        - byInstallation.getOrDefault(owner.login(), new TreeMap<>())
            .getOrDefault(now.getEpochSecond() / 60, 0));
  }

  synchronized long calls() {
    return calls;
  }

  /** Most points this App spent in one minute on any one installation (at most the limit). */
  synchronized int peakPointsPerInstallation() {
    return byInstallation.values().stream().flatMap(m -> m.values().stream())
        .mapToInt(Integer::intValue).max().orElse(0);
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
    spend(owner, MUTATE);
    return delegate.registrationToken(owner);
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    spend(owner, MUTATE);
    return delegate.jitConfig(owner, request);
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    List<GitHubRunner> runners = delegate.listRunners(owner);
    // one GET per page of 100
    int pages = Math.max(1, (runners.size() + 99) / 100);
    for (int i = 0; i < pages; i++) {
      spend(owner, GET);
    }
    return runners;
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    spend(owner, GET);
    return delegate.getRunner(owner, runnerId);
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    spend(owner, MUTATE);
    return delegate.deleteRunner(owner, runnerId);
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    spend(repository, GET);
    return delegate.job(repository, jobId);
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    spend(owner, GET);
    return delegate.runnerGroupId(owner, groupName);
  }

  @Override
  public Optional<JobOutcome> jobOutcome(RunnerOwner repository, long jobId) {
    if (jobs == null) {
      return GitHubRunners.super.jobOutcome(repository, jobId);
    }
    spend(repository, GET);
    return jobs.outcome(jobId);
  }

  @Override
  public RerunAnswer rerunJob(RunnerOwner repository, long jobId) {
    if (jobs == null) {
      return GitHubRunners.super.rerunJob(repository, jobId);
    }
    spend(repository, MUTATE);
    return jobs.rerun(jobId);
  }
}
