package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Scale-up over the in-memory fakes, with a clock tests can move. */
final class Fixture {
  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  final ManualClock clock = new ManualClock(NOW);
  final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  final FakeGitHub github = new FakeGitHub(clock);
  final InMemoryParameters parameters = new InMemoryParameters();
  final Map<String, String> env = new HashMap<>();
  /** Every recheck scale-up scheduled, in order. */
  final List<Recheck> rechecks = new ArrayList<>();
  /** Every message scale-up sent back to wait, dead-lettered or held. */
  final Returns returns = new Returns();
  /** The EMF lines scale-up wrote. */
  final List<String> metrics = new ArrayList<>();
  LaunchLock lock = LaunchLock.NONE;
  private JobReturns returnsSeen = returns;
  private dev.spotrunner.common.parameters.Parameters parametersSeen = parameters;
  private RunnerFleet fleetSeen = fleet;
  private GitHubRunners githubSeen = github;

  /** GitHub knows jobs 1..{@value #KNOWN_JOBS} as queued (first receives are checked). */
  Fixture() {
    this(true);
  }

  static final int KNOWN_JOBS = 200;

  /** {@code knownJobs} false: GitHub knows no job until a test tells it. */
  Fixture(boolean knownJobs) {
    if (knownJobs) {
      for (long id = 1; id <= KNOWN_JOBS; id++) {
        github.job(new dev.spotrunner.common.github.WorkflowJob(id, 9000 + id, "queued",
            List.of("self-hosted", "linux"), NOW.minusSeconds(60), null));
      }
    }
    env.put("ENVIRONMENT", "prod");
    env.put("POOL_NAME", "linux");
    env.put("POOL_LABELS", "self-hosted,linux");
    env.put("LAUNCH_TEMPLATE_NAME", "prod-linux");
    env.put("INSTANCE_TYPES", "m7a.large,m6i.large");
    env.put("SUBNET_IDS", "subnet-a,subnet-b");
    env.put("MAX_RUNNERS", "50");
    env.put("GITHUB_APP_ID_PARAM", "/prod/app/id");
    env.put("GITHUB_APP_KEY_PARAM", "/prod/app/key");
  }

  Fixture set(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Scale-up sees this fleet instead of the fake directly (to inject failures). */
  Fixture fleetSeen(RunnerFleet fleet) {
    this.fleetSeen = fleet;
    return this;
  }

  Fixture parametersSeen(dev.spotrunner.common.parameters.Parameters parameters) {
    this.parametersSeen = parameters;
    return this;
  }

  /** Scale-up returns messages here instead of {@link #returns} (a {@link FakeSqs}). */
  Fixture returnsSeen(JobReturns returns) {
    this.returnsSeen = returns;
    return this;
  }

  Fixture githubSeen(GitHubRunners github) {
    this.githubSeen = github;
    return this;
  }

  ScaleUpSettings settings() {
    return ScaleUpSettings.fromEnv(env);
  }

  PoolSettings pool() {
    return settings().pool();
  }

  ScaleUp scaleUp() {
    ScaleUpSettings settings = settings();
    RunnerLauncher launcher = new RunnerLauncher(settings.pool(), fleetSeen, githubSeen, parametersSeen,
        new RunnerConfigs(settings.pool(), githubSeen, clock));
    JobRechecks recorded = (job, recheck, delay) -> rechecks.add(new Recheck(job, recheck, delay));
    return new ScaleUp(settings, fleetSeen, githubSeen, launcher, recorded, returnsSeen, lock,
        line -> {
          synchronized (metrics) {
            metrics.add(line);
          }
        }, clock);
  }

  /** {@link JobReturns} in memory; {@link #failing} makes every return throw. */
  static final class Returns implements JobReturns {
    record Later(JobMessage job, int waited, Duration delay) {}

    record DeadLetter(String body, String reason) {}

    final List<Later> later = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<String> held = new ArrayList<>();
    boolean failing;
    /** Only new messages are refused (SendMessage), visibility changes work. */
    boolean refusingNewMessages;

    @Override
    public synchronized void later(JobMessage job, int wait, Duration delay) {
      if (refusingNewMessages) {
        throw new dev.spotrunner.common.TransientFailure("SQS answered 500 to SendMessage");
      }
      fail();
      later.add(new Later(job, wait, delay));
    }

    @Override
    public synchronized void hold(String receiptHandle, Duration delay) {
      fail();
      held.add(receiptHandle + "@" + delay.toSeconds());
    }

    @Override
    public synchronized void deadLetter(String body, String reason) {
      fail();
      deadLetters.add(new DeadLetter(body, reason));
    }

    private void fail() {
      if (failing) {
        throw new dev.spotrunner.common.TransientFailure("SQS answered 500");
      }
    }

    synchronized List<Long> laterJobIds() {
      return later.stream().map(l -> l.job().jobId().value()).toList();
    }
  }

  record Recheck(JobMessage job, int recheck, Duration delay) {}

  static JobMessage job(long id) {
    return job(id, "acme/api", NOW.minusSeconds(30));
  }

  static JobMessage job(long id, String repository, Instant receivedAt) {
    String owner = repository.substring(0, repository.indexOf('/'));
    return new JobMessage(id, 9000 + id, repository, owner, "Organization", 42L,
        List.of("self-hosted", "linux"), "linux", "delivery-" + id, receivedAt);
  }

  static List<QueuedMessage> queuedMessages(int count) {
    List<QueuedMessage> queuedMessages = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      queuedMessages.add(QueuedMessage.of("m" + i, 1, job(i)));
    }
    return queuedMessages;
  }
}
