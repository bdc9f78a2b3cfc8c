package dev.spotrunner.local.github;

import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInJob;
import dev.spotrunner.testkit.github.StandInReruns;
import dev.spotrunner.testkit.github.StandInRunner;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@link GitHubHost} over the GitHub stand-in: the functions talk to it over HTTP as a GitHub App;
 * the simulated runners register, take jobs and report them through its Java API; every job change
 * becomes a {@link JobEvent} for the webhook sender.
 */
public final class StandInGitHub implements GitHubHost {
  private record Assignment(long runnerId, String runnerName) {}

  private final GitHubStandIn standIn;
  private final Map<String, Long> installations = new ConcurrentHashMap<>();
  private final Map<Long, Duration> runTimes = new ConcurrentHashMap<>();
  private final Map<Long, Assignment> assignments = new ConcurrentHashMap<>();
  private final AtomicLong nextJobId = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);

  private StandInGitHub(GitHubStandIn standIn) {
    this.standIn = standIn;
  }

  /** The runner version the local stack publishes, so the binary syncer has a release to cache. */
  public static final String RUNNER_VERSION = "2.330.0";

  public static StandInGitHub start() {
    GitHubStandIn standIn = GitHubStandIn.start();
    // Like github.com, the stand-in serves an actions/runner release; the assets are generated
    // (1 MiB each, never held in memory) and its notes carry the SHA-256 markers the syncer verifies.
    standIn.publishRelease(RUNNER_VERSION, java.util.List.of(
        dev.spotrunner.testkit.github.ReleaseAsset.of("linux-x64", RUNNER_VERSION, 1 << 20,
            dev.spotrunner.testkit.github.ReleaseAsset.generated(1 << 20, 64)),
        dev.spotrunner.testkit.github.ReleaseAsset.of("linux-arm64", RUNNER_VERSION, 1 << 20,
            dev.spotrunner.testkit.github.ReleaseAsset.generated(1 << 20, 164))));
    return new StandInGitHub(standIn);
  }

  public GitHubStandIn standIn() {
    return standIn;
  }

  @Override
  public URI apiUrl() {
    return standIn.apiUrl();
  }

  @Override
  public long appId() {
    return standIn.appId();
  }

  @Override
  public String appPrivateKeyPem() {
    return standIn.appKeys().pkcs8Pem();
  }

  @Override
  public long install(String login) {
    long id = standIn.install(login);
    installations.put(login, id);
    return id;
  }

  @Override
  public void onJobChanged(Consumer<JobEvent> listener) {
    standIn.onJobChanged((job, previous) -> listener.accept(toEvent(job)));
  }

  private JobEvent toEvent(StandInJob job) {
    Assignment assigned = assignments.get(job.id());
    return new JobEvent(job.status(), job.id(), job.runId(), job.owner(), "Organization", job.repo(), true,
        installations.getOrDefault(job.owner(), 0L), job.status(), job.conclusion(), job.labels(),
        job.createdAt(), job.startedAt(), job.completedAt(),
        assigned == null ? null : assigned.runnerId(), assigned == null ? null : assigned.runnerName());
  }

  @Override
  public long queueJob(String repository, List<String> labels, Duration runTime) {
    String[] parts = repository.split("/", 2);
    long id = nextJobId.incrementAndGet();
    runTimes.put(id, runTime);
    standIn.addJob(parts[0], parts[1], id, labels);
    return id;
  }

  @Override
  public long registerJit(String encodedJitConfig) {
    return standIn.startWithJitConfig(encodedJitConfig).id();
  }

  @Override
  public long registerWithToken(String url, String token, String name, List<String> labels, boolean ephemeral) {
    return standIn.registerWithToken(token, name, labels, ephemeral).id();
  }

  @Override
  public Optional<AssignedJob> takeJob(long runnerId) {
    StandInJob chosen;
    StandInRunner runner;
    synchronized (this) {
      Optional<StandInRunner> found = standIn.runner(runnerId);
      if (found.isEmpty() || found.get().busy() || !found.get().status().equals("online")) {
        return Optional.empty();
      }
      runner = found.get();
      Set<String> served = runner.labels().stream().map(l -> l.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
      chosen = standIn.jobs().stream()
          .filter(job -> job.status().equals("queued"))
          // Taken but not yet marked in progress (that happens outside this lock): not for another runner.
          .filter(job -> !assignments.containsKey(job.id()))
          .filter(job -> covers(runner.ownerPath(), job))
          .filter(job -> job.labels().stream().allMatch(l -> served.contains(l.toLowerCase(Locale.ROOT))))
          .findFirst().orElse(null);
      if (chosen == null) {
        return Optional.empty();
      }
      standIn.setRunner(runnerId, "online", true);
      assignments.put(chosen.id(), new Assignment(runnerId, runner.name()));
    }
    // GitHub names the runner on the job (GET .../actions/jobs/{id} runner_name)
    standIn.startJob(chosen.id(), runner);
    return Optional.of(new AssignedJob(chosen.id(), chosen.owner() + "/" + chosen.repo(), chosen.labels(),
        runTime(chosen.id())));
  }

  /** The queued run time; a re-run attempt runs as long as the job it re-runs. */
  private Duration runTime(long jobId) {
    Duration planned = runTimes.get(jobId);
    if (planned != null) {
      return planned;
    }
    return StandInReruns.of(standIn).newAttempts().entrySet().stream()
        .filter(e -> e.getValue() == jobId).findFirst()
        .map(e -> runTime(e.getKey())).orElse(Duration.ofSeconds(5));
  }

  @Override
  public Map<Long, Long> reruns() {
    return StandInReruns.of(standIn).newAttempts();
  }

  @Override
  public void loseJob(long runnerId, long jobId) {
    standIn.updateJob(jobId, "completed", "failure");
    synchronized (this) {
      if (standIn.runner(runnerId).isPresent()) {
        standIn.setRunner(runnerId, "offline", false);
      }
    }
  }

  private static boolean covers(String ownerPath, StandInJob job) {
    return ownerPath.equals("orgs/" + job.owner()) || ownerPath.equals("repos/" + job.owner() + "/" + job.repo());
  }

  @Override
  public void completeJob(long runnerId, long jobId, String conclusion) {
    standIn.updateJob(jobId, "completed", conclusion);
    synchronized (this) {
      Optional<StandInRunner> runner = standIn.runner(runnerId);
      if (runner.isPresent() && runner.get().ephemeral()) {
        // GitHub removes an ephemeral runner once its job is done.
        standIn.removeRunner(runnerId);
      } else if (runner.isPresent()) {
        standIn.setRunner(runnerId, "online", false);
      }
    }
  }

  @Override
  public boolean runnerExists(long runnerId) {
    return standIn.runner(runnerId).isPresent();
  }

  @Override
  public synchronized void runnerStopped(long runnerId) {
    if (standIn.runner(runnerId).isPresent()) {
      standIn.setRunner(runnerId, "offline", false);
    }
  }

  @Override
  public List<JobView> jobs() {
    return standIn.jobs().stream().map(StandInGitHub::view).toList();
  }

  @Override
  public Optional<JobView> job(long id) {
    return standIn.job(id).map(StandInGitHub::view);
  }

  private static JobView view(StandInJob job) {
    return new JobView(job.id(), job.owner() + "/" + job.repo(), job.labels(), job.status(), job.conclusion(),
        job.createdAt(), job.startedAt(), job.completedAt(), job.runnerId());
  }

  @Override
  public List<RunnerView> runners() {
    return standIn.allRunners().stream().map(r -> new RunnerView(r.id(), r.name(), r.status(), r.busy())).toList();
  }

  @Override
  public void close() {
    standIn.close();
  }
}
