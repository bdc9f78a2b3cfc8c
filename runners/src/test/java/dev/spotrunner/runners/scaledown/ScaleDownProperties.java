package dev.spotrunner.runners.scaledown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random fleets (instances of random ages; runners missing, idle online, idle offline or busy;
 * ghosts; warm windows; instances spot took away, their jobs queued, running or done, some rescued
 * already) under a GitHub that fails at random, then under one that answers.
 */
class ScaleDownProperties {
  private static final List<RunnerOwner> OWNERS =
      List.of(RunnerOwner.org("acme"), RunnerOwner.org("globex"), RunnerOwner.repo("acme", "api"));

  enum RunnerState { NONE, ONLINE_IDLE, OFFLINE_IDLE, BUSY }

  record InstanceSpec(int owner, int ageMinutes, RunnerState state, boolean runnerIdTag,
      boolean takesJob) {}

  record FleetSpec(List<InstanceSpec> instances, int ghosts, int warmIdle, int minimumMinutes,
      int graceMinutes, double failure, long seed, boolean evictNewest) {}

  @BeforeContainer
  static void quiet() {
    // Tens of thousands of cycles would otherwise log every decision.
    dev.spotrunner.common.log.Log.setLevel(dev.spotrunner.common.log.Log.Level.ERROR);
  }

  @AfterContainer
  static void restore() {
    dev.spotrunner.common.log.Log.setLevel(dev.spotrunner.common.log.Log.Level.INFO);
  }

  @Provide
  Arbitrary<FleetSpec> fleets() {
    Arbitrary<InstanceSpec> instance = Combinators.combine(
        Arbitraries.integers().between(0, OWNERS.size() - 1),
        Arbitraries.integers().between(0, 90),
        Arbitraries.of(RunnerState.class),
        Arbitraries.of(true, false),
        Arbitraries.integers().between(0, 4).map(i -> i == 0))
        .as(InstanceSpec::new);
    return Combinators.combine(
        instance.list().ofMaxSize(16),
        Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 10),
        Arbitraries.integers().between(0, 10),
        Arbitraries.of(0.0, 0.1, 0.3, 0.7),
        Arbitraries.longs(),
        Arbitraries.of(true, false))
        .as(FleetSpec::new);
  }

  @Property(tries = 10_000)
  void neverTerminatesABusyOrRegisteredRunnersInstanceAndClearsIdleRunnersWithinTwoCycles(
      @ForAll("fleets") FleetSpec spec) {
    Fixture f = new Fixture();
    f.env.put("MINIMUM_RUNNING_TIME_MINUTES", String.valueOf(spec.minimumMinutes()));
    f.env.put("BOOT_GRACE_MINUTES", String.valueOf(spec.graceMinutes()));
    f.env.put("MAX_RUNNERS", "12");
    f.env.put("WARM_EVICTION", spec.evictNewest() ? "newest" : "oldest");
    if (spec.warmIdle() > 0) {
      f.env.put("WARM_WINDOWS", "[{\"cron\":\"* * * * *\",\"idle\":" + spec.warmIdle()
          + ",\"owner\":\"acme\"}]");
    }
    Set<Long> takesJob = new HashSet<>();
    for (InstanceSpec s : spec.instances()) {
      RunnerOwner owner = OWNERS.get(s.owner());
      RunnerInstance instance = f.instance(owner, s.ageMinutes());
      if (s.state() != RunnerState.NONE) {
        GitHubRunner runner = f.runner(owner, instance,
            s.state() == RunnerState.OFFLINE_IDLE ? "offline" : "online",
            s.state() == RunnerState.BUSY);
        if (s.runnerIdTag()) {
          f.fleet.tag(instance.id(), Map.of(Tags.RUNNER_ID, String.valueOf(runner.id())));
        }
        if (s.takesJob()) {
          takesJob.add(runner.id());
        }
      } else if (s.runnerIdTag()) {
        f.fleet.tag(instance.id(), Map.of(Tags.RUNNER_ID, "424242"));
      }
    }
    for (int i = 0; i < spec.ghosts(); i++) {
      f.fakeGitHub.addRunner(OWNERS.get(i % OWNERS.size()),
          String.format("prod-i-%017x", 0xdead0000L + i), "offline", false, List.of());
    }
    // Spot interruptions, drawn from the seed: job 9000+i is queued, running or done.
    Random draw = new Random(spec.seed());
    Set<Long> queuedJobs = new HashSet<>();
    int interruptions = draw.nextInt(4);
    for (int i = 0; i < interruptions; i++) {
      long jobId = 9000 + i;
      String status = List.of("queued", "in_progress", "completed").get(draw.nextInt(3));
      f.fakeGitHub.job(new WorkflowJob(jobId, 1L, status, List.of(), Fixture.NOW, null));
      Map<String, String> bound = Map.of(Tags.JOB_ID, Long.toString(jobId),
          Tags.REPOSITORY, "acme/api");
      f.fleet.interrupt(f.instance(OWNERS.get(0), draw.nextInt(5), "linux", bound).id());
      if (status.equals("queued")) {
        queuedJobs.add(jobId);
      }
      if (draw.nextInt(4) == 0) {
        f.instance(OWNERS.get(0), 0, "linux", bound); // rescued already
      }
    }
    int initialSize = f.fleet.all().size();

    CheckingFleet fleet = new CheckingFleet(f.fleet, f.fakeGitHub, OWNERS);
    fleet.observeBusy();
    f.fakeGitHub.beforeDelete(id -> {
      if (takesJob.contains(id)) {
        for (RunnerOwner owner : OWNERS) {
          f.fakeGitHub.runners(owner).stream().filter(r -> r.id() == id).findFirst()
              .ifPresent(r -> f.fakeGitHub.setRunner(owner,
                  new GitHubRunner(r.id(), r.name(), "online", true, r.labels())));
        }
        fleet.observeBusy();
      }
    });
    ChaosGitHub github = new ChaosGitHub(f.fakeGitHub, spec.seed(), spec.failure());
    Set<InstanceId> launchedLater = new HashSet<>();
    List<Long> launchedForJobs = new ArrayList<>();
    ScaleDown scaleDown = new ScaleDown(f.settings(), fleet, github, f.parameters,
        new PointsPerMinute(RequestBudget.POINTS_PER_MINUTE, f.clock), f.asks(),
        new Emf(line -> {}), f.clock);

    List<Set<Long>> liveJobsBefore = new ArrayList<>();
    List<Integer> rescuesBefore = new ArrayList<>();
    Runnable cycle = () -> {
      liveJobsBefore.add(liveBoundJobs(f));
      rescuesBefore.add(f.rescueRequests.size());
      scaleDown.run();
      // scale-up serves the asks (warm runners, rescues) before the next cycle
      Set<InstanceId> before = new HashSet<>();
      f.fleet.all().forEach(i -> before.add(i.id()));
      f.serveAsks();
      for (RunnerInstance launched : f.fleet.all()) {
        if (!before.contains(launched.id())) {
          launchedLater.add(launched.id());
          if (launched.tag(Tags.JOB_ID) != null) {
            launchedForJobs.add(Long.parseLong(launched.tag(Tags.JOB_ID)));
          }
        }
      }
    };
    cycle.run(); // GitHub failing at random, runners taking jobs mid-cycle
    github.heal();
    f.clock.advance(Duration.ofMinutes(5));
    cycle.run();
    f.clock.advance(Duration.ofMinutes(5));
    cycle.run();
    rescuesBefore.add(f.rescueRequests.size());

    assertEquals(List.of(), fleet.violations);
    // Rescues asked only for jobs without a live instance, never twice for one job in a cycle;
    // scale-up launches only for the queued ones.
    for (int c = 0; c < liveJobsBefore.size(); c++) {
      List<Long> asked = f.rescueRequests.subList(rescuesBefore.get(c), rescuesBefore.get(c + 1));
      assertEquals(Set.copyOf(asked).size(), asked.size(), "asked twice: " + asked);
      for (long jobId : asked) {
        assertTrue(!liveJobsBefore.get(c).contains(jobId),
            "asked to rescue job " + jobId + " that has a live instance");
      }
    }
    for (long jobId : launchedForJobs) {
      assertTrue(queuedJobs.contains(jobId), "rescued job " + jobId + " that did not wait");
    }
    for (long jobId = 9000; jobId < 9004; jobId++) {
      String tag = Long.toString(jobId);
      assertTrue(f.fleet.all().stream().filter(i -> tag.equals(i.tag(Tags.JOB_ID))).count() <= 1,
          "more than one live instance for job " + jobId);
    }
    assertTrue(f.fleet.all().size() <= Math.max(12, initialSize), "pool maximum exceeded");
    int idleLeft = 0;
    for (RunnerInstance instance : f.fleet.all()) {
      Duration age = Duration.between(instance.launchTime(), f.clock.instant());
      Optional<GitHubRunner> runner = runnerOf(f, instance.id());
      boolean old = age.compareTo(Duration.ofMinutes(spec.minimumMinutes())) >= 0;
      if (old && runner.isPresent() && !runner.get().busy() && runner.get().online()) {
        idleLeft++;
      }
      if (old && runner.isEmpty() && !launchedLater.contains(instance.id())
          && age.compareTo(Duration.ofMinutes(spec.graceMinutes())) >= 0) {
        throw new AssertionError("orphan " + instance.id() + " survived two healthy cycles");
      }
    }
    assertTrue(idleLeft <= spec.warmIdle(),
        idleLeft + " idle runners left, warm count " + spec.warmIdle());
    for (RunnerOwner owner : OWNERS) {
      for (GitHubRunner runner : f.fakeGitHub.runners(owner)) {
        if (runner.name().startsWith("prod-i-00000000dead")) {
          throw new AssertionError("ghost " + runner.name() + " survived two healthy cycles");
        }
      }
    }
  }

  private static Set<Long> liveBoundJobs(Fixture f) {
    Set<Long> jobs = new HashSet<>();
    f.fleet.all().stream().map(i -> i.tag(Tags.JOB_ID)).filter(t -> t != null)
        .forEach(t -> jobs.add(Long.parseLong(t)));
    return jobs;
  }

  private static Optional<GitHubRunner> runnerOf(Fixture f, InstanceId id) {
    List<GitHubRunner> found = new ArrayList<>();
    for (RunnerOwner owner : OWNERS) {
      f.fakeGitHub.runners(owner).stream().filter(r -> r.name().contains(id.value()))
          .forEach(found::add);
    }
    return found.stream().findFirst();
  }

}
