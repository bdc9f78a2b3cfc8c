package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import dev.spotrunner.runners.scaleup.BatchOutcome;
import dev.spotrunner.runners.scaleup.FakeSqs;
import dev.spotrunner.runners.scaleup.QueuedMessage;
import dev.spotrunner.runners.scaleup.ScaleUp;
import dev.spotrunner.runners.scaleup.ScaleUpSettings;
import dev.spotrunner.runners.scaleup.WarmRequest;
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
import java.util.concurrent.atomic.AtomicLong;

/** A pool "linux" of environment "prod" on fakes, with a clock the test moves. */
final class Fixture {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z"); // a Wednesday
  static final RunnerOwner ACME = RunnerOwner.org("acme");
  static final RunnerOwner GLOBEX = RunnerOwner.org("globex");

  final ManualClock clock = new ManualClock(NOW);
  final InMemoryRunnerFleet fleet = new InMemoryRunnerFleet(clock);
  final FakeGitHub fakeGitHub = new FakeGitHub(clock);
  final InMemoryParameters parameters = new InMemoryParameters();
  final List<String> emfLines = new ArrayList<>();
  final List<String> launchRequests = new ArrayList<>();
  final List<Long> rescueRequests = new ArrayList<>();
  static final String QUEUE = "https://sqs/1/prod-linux-jobs";
  /** The pool's queue, where scale-down's asks go. */
  final FakeSqs queue = new FakeSqs(clock);
  final Map<String, String> env = new HashMap<>(baseEnv());
  GitHubRunners github = fakeGitHub;
  /** What scale-down sees of {@link #fleet}: the fleet itself unless a test lags its listing. */
  dev.spotrunner.common.fleet.RunnerFleet fleetView = fleet;
  /** The parameter names whose reads fail, as SSM does when throttled. */
  final java.util.Set<String> failingReads = new java.util.HashSet<>();
  RequestBudget budget = RequestBudget.unlimited();
  private final AtomicLong nextInstance = new AtomicLong(0x7000_0000L);

  static Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("ENVIRONMENT", "prod");
    env.put("POOL_NAME", "linux");
    env.put("POOL_LABELS", "self-hosted,linux,x64");
    env.put("LAUNCH_TEMPLATE_NAME", "prod-linux");
    env.put("INSTANCE_TYPES", "m7a.large");
    env.put("SUBNET_IDS", "subnet-1");
    env.put("GITHUB_APP_ID_PARAM", "/prod/app/id");
    env.put("GITHUB_APP_KEY_PARAM", "/prod/app/key");
    return env;
  }

  ScaleDownSettings settings() {
    return ScaleDownSettings.fromEnv(env);
  }

  ScaleDown scaleDown() {
    return new ScaleDown(settings(), fleetView, github, parametersView(), budget, asks(),
        new Emf(emfLines::add), clock);
  }

  /**
   * Scale-down's asks, recorded ({@link #launchRequests}: the owner once per warm runner asked
   * for; {@link #rescueRequests}: the job ids) and put on {@link #queue} as the deployed
   * {@link QueuedLaunches} does, for {@link #serveAsks()}.
   */
  LaunchAsks asks() {
    QueuedLaunches queued = new QueuedLaunches(settings().pool(), queue, QUEUE, clock);
    return new LaunchAsks() {
      @Override
      public void warm(RunnerOwner owner, int count) {
        for (int i = 0; i < count; i++) {
          launchRequests.add(owner.toString());
        }
        queued.warm(owner, count);
      }

      @Override
      public void rescue(JobId jobId, RunnerOwner repository, String ownerType) {
        rescueRequests.add(jobId.value());
        queued.rescue(jobId, repository, ownerType);
      }
    };
  }

  /**
   * Scale-up serves what scale-down asked, as its handler does: every visible message of the pool's
   * queue in one batch, with the real launcher on this fleet, GitHub and parameters; the messages
   * not in the batch failures are deleted.
   */
  BatchOutcome serveAsks() {
    ScaleUpSettings up = ScaleUpSettings.fromEnv(env);
    RunnerLauncher launcher = new RunnerLauncher(up.pool(), fleet, fakeGitHub, parameters,
        new RunnerConfigs(up.pool(), fakeGitHub, clock));
    List<JobQueue.Received> received = queue.receive(QUEUE, 10, 720);
    BatchOutcome outcome = new ScaleUp(up, fleet, fakeGitHub, launcher, clock).run(
        received.stream().map(r -> QueuedMessage.parse(r.messageId(), r.body(),
            Integer.toString(r.receiveCount()), null, null,
            r.attributes().get(WarmRequest.KIND_ATTRIBUTE), r.receiptHandle())).toList());
    received.stream().filter(r -> !outcome.retry().contains(r.messageId()))
        .forEach(r -> queue.delete(QUEUE, r.receiptHandle()));
    return outcome;
  }

  private dev.spotrunner.common.parameters.Parameters parametersView() {
    return new dev.spotrunner.common.parameters.Parameters() {
      @Override
      public java.util.Optional<String> get(String name) {
        if (failingReads.contains(name)) {
          throw new dev.spotrunner.common.TransientFailure("ssm get failed for " + name);
        }
        return parameters.get(name);
      }

      @Override
      public void putSecure(String name, String value) {
        parameters.putSecure(name, value);
      }

      @Override
      public void delete(String name) {
        parameters.delete(name);
      }

      @Override
      public List<String> namesUnder(String path) {
        return parameters.namesUnder(path);
      }
    };
  }

  CycleReport cycle() {
    return scaleDown().run();
  }

  /** A pool instance launched {@code ageMinutes} ago for {@code owner}. */
  RunnerInstance instance(RunnerOwner owner, long ageMinutes) {
    return instance(owner, ageMinutes, "linux", Map.of());
  }

  RunnerInstance instance(RunnerOwner owner, long ageMinutes, String pool, Map<String, String> extra) {
    InstanceId id = new InstanceId(String.format("i-%017x", nextInstance.getAndIncrement()));
    Map<String, String> tags = new HashMap<>(extra);
    tags.put(Tags.ENVIRONMENT, "prod");
    tags.put(Tags.POOL, pool);
    if (owner != null) {
      tags.put(Tags.OWNER, owner.toString());
    }
    return fleet.add(new RunnerInstance(id, "running",
        clock.instant().minus(Duration.ofMinutes(ageMinutes)), CapacityType.SPOT, tags));
  }

  GitHubRunner runner(RunnerOwner owner, RunnerInstance instance, String status, boolean busy) {
    return fakeGitHub.addRunner(owner, "prod-" + instance.id(), status, busy,
        List.of("self-hosted", "linux", "x64"));
  }

  /** An idle online runner on an instance old enough to go. */
  GitHubRunner idleRunner(RunnerOwner owner, long ageMinutes) {
    return runner(owner, instance(owner, ageMinutes), "online", false);
  }

  boolean alive(RunnerInstance instance) {
    return fleet.all().stream().anyMatch(i -> i.id().equals(instance.id()));
  }

  boolean registered(RunnerOwner owner, GitHubRunner runner) {
    return fakeGitHub.runners(owner).stream().anyMatch(r -> r.id() == runner.id());
  }
}
