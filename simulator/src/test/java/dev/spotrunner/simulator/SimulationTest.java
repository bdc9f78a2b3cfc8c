package dev.spotrunner.simulator;

import static dev.spotrunner.simulator.TestWorld.T0;
import static dev.spotrunner.simulator.TestWorld.job;
import static dev.spotrunner.simulator.TestWorld.pool;
import static dev.spotrunner.simulator.TestWorld.scenario;
import static dev.spotrunner.simulator.TestWorld.simulate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.log.Log;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulationTest {
  @BeforeAll
  static void quiet() {
    // the scaling code logs each decision; the assertions say what matters here
    Log.setLevel(Log.Level.ERROR);
  }

  @Test
  void oneJobWaitsTheQueueDelayPlusTheBootTime() {
    SimulationResult result = simulate(pool().deployment(), scenario(90, null),
        List.of(job(1, T0, 300)));

    assertThat(result.simulatedWaits().get("linux")).containsExactly(30L + 90L);
    assertThat(result.overall().instancesLaunched()).isEqualTo(1);
    assertThat(result.overall().unserved()).isZero();
  }

  @Test
  void controlPlaneLatenciesAddUpInTheWait() {
    Scenario slow = scenario(90, "{\"controlPlane\":{"
        + "\"webhookToQueue\":{\"type\":\"fixed\",\"seconds\":2},"
        + "\"scaleUp\":{\"type\":\"fixed\",\"seconds\":4},"
        + "\"assign\":{\"type\":\"fixed\",\"seconds\":5},"
        + "\"shutdown\":{\"type\":\"fixed\",\"seconds\":30}}}");

    SimulationResult result = simulate(pool().deployment(), slow, List.of(job(1, T0, 300)));

    assertThat(result.simulatedWaits().get("linux")).containsExactly(2L + 30 + 4 + 90 + 5);
    // the shutdown after the job is billed, as idle
    assertThat(result.overall().idleInstanceMinutes())
        .isCloseTo((90 + 5 + 30) / 60.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void theLaunchLockLetsOneOfThreeConcurrentInvocationsLaunchAndTheOthersJobsWaitABackoffStep() {
    Scenario tenSecondInvocations = scenario(60, "{\"controlPlane\":{"
        + "\"webhookToQueue\":{\"type\":\"fixed\",\"seconds\":0},"
        + "\"scaleUp\":{\"type\":\"fixed\",\"seconds\":10},"
        + "\"assign\":{\"type\":\"fixed\",\"seconds\":0},"
        + "\"shutdown\":{\"type\":\"fixed\",\"seconds\":0}}}");
    List<TraceJob> jobs = List.of(job(1, T0, 300), job(2, T0, 300), job(3, T0, 300));
    TestWorld.Pool serial = pool();
    serial.batchSize = 1;
    serial.reserved = 1;
    TestWorld.Pool parallel = pool();
    parallel.batchSize = 1;
    parallel.reserved = 3;

    List<Long> one = simulate(serial.deployment(), tenSecondInvocations, jobs)
        .simulatedWaits().get("linux").stream().sorted().toList();
    List<Long> three = simulate(parallel.deployment(), tenSecondInvocations, jobs)
        .simulatedWaits().get("linux").stream().sorted().toList();

    assertThat(one).containsExactly(30L + 10 + 60, 30L + 20 + 60, 30L + 30 + 60);
    // Three invocations start together; the first takes the pool's launch lock for its 10 s, the
    // two others find it held and send their jobs back after the 10 s backoff step (plus up to
    // half a step of grid and jitter); back together with a batch size of 1, one of them finds the
    // lock held again and waits a 20 s step.
    SimulationResult parallelResult = simulate(parallel.deployment(), tenSecondInvocations, jobs);
    assertThat(three.getFirst()).isEqualTo(30L + 10 + 60);
    assertThat(three.get(1)).isBetween(30L + 10 + 10 + 10 + 60, 30L + 10 + 15 + 10 + 60);
    assertThat(three.get(2)).isGreaterThanOrEqualTo(three.get(1) + 20);
    assertThat(parallelResult.queues().get("linux").lockRefused()).isEqualTo(3);
    assertThat(parallelResult.queues().get("linux").waits()).isEqualTo(3);
    assertThat(parallelResult.overall().deadLettered()).isZero();
  }

  @Test
  void aMappingMaximumConcurrencyOfTwoCapsInvocationsUnderAnUnreservedFunction() {
    Scenario slowInvocations = scenario(60, "{\"controlPlane\":{"
        + "\"webhookToQueue\":{\"type\":\"fixed\",\"seconds\":0},"
        + "\"scaleUp\":{\"type\":\"fixed\",\"seconds\":10},"
        + "\"assign\":{\"type\":\"fixed\",\"seconds\":0},"
        + "\"shutdown\":{\"type\":\"fixed\",\"seconds\":0}}}");
    TestWorld.Pool capped = pool();
    capped.batchSize = 1;
    capped.reserved = -1;
    capped.maxConcurrency = 2;

    List<TraceJob> together = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      together.add(job(i + 1, T0, 300));
    }

    SimulationResult result = simulate(capped.deployment(), slowInvocations, together);

    assertThat(result.peakScaleUpInvocations().get("linux")).isEqualTo(2);
    assertThat(result.overall().served()).isEqualTo(6);
  }

  @Test
  void aJobWhoseInstanceSpotTookDuringBootIsAskedForOnTheQueueAndServedByTheRecheck() {
    long boot = 90;
    // Scale-down runs every 5 minutes from ten minutes before the job: at T0, T0+300 s, ...
    // The job's instance launches at T0+30 s and is interrupted 20 s later, while booting.
    SimulationResult result = new Simulation(pool().deployment(), scenario(boot, null), 7,
        T0.minus(Duration.ofMinutes(10)))
        .interruptFirstInstanceAfter(20)
        .run(List.of(job(1, T0, 300)));

    // Scale-down's cycle at T0+300 s asks for the job on the queue (only scale-up launches). The
    // rescue launches with a ClientToken of its own (the webhook message's token would hand back
    // the reclaimed instance): served at T0+300+boot, before scale-up's own recheck at T0+330 s.
    // Scale-down asks again each later cycle while EC2 lists the interrupted instance and no live
    // instance carries the job (after the job ran): scale-up asks GitHub, finds it done, launches
    // nothing (the GET scale-down itself made each cycle before).
    assertThat(result.queues().get("linux").asked()).containsEntry("rescue", 5);
    assertThat(result.simulatedWaits().get("linux")).containsExactly(300 + boot);
    assertThat(result.overall().instancesLaunched()).isEqualTo(2);
    assertThat(result.overall().unserved()).isZero();
    assertThat(result.interruptedJobs()).isZero();
  }

  @Test
  void theSameTraceConfigurationAndSeedGiveTheSameOutput() {
    // the documented default world: long-tailed boots, latencies, spot faults
    Scenario world = new Scenario("acme", "acme/app", null, null, null, null, null, null, null, null,
        null, null, null);
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(job(i + 1, T0.plusSeconds(i * 37L % 600), 120 + i * 13L % 400));
    }
    jobs.sort((a, b) -> a.queuedAt().compareTo(b.queuedAt()));
    TestWorld.Pool small = pool();
    small.max = 5;

    SimulationResult first = simulate(small.deployment(), world, jobs);
    SimulationResult second = simulate(small.deployment(), world, jobs);

    assertThat(second.simulatedWaits()).isEqualTo(first.simulatedWaits());
    assertThat(second.overall().metrics()).isEqualTo(first.overall().metrics());
    assertThat(second.timeline()).isEqualTo(first.timeline());
  }

  @Test
  void aWarmPoolServesItsFirstJobsWithoutBootWait() {
    TestWorld.Pool warm = pool();
    warm.warmWindows = "[{\"cron\":\"* * * * *\",\"timeZone\":\"UTC\",\"idle\":3,\"owner\":\"acme\"}]";
    // Jobs arrive an hour in, long after the warm runners booted.
    Instant later = T0.plus(Duration.ofHours(1));
    List<TraceJob> jobs = List.of(job(1, later, 600), job(2, later, 600), job(3, later, 600),
        job(4, later, 600));

    SimulationResult result = simulate(warm.deployment(), scenario(180, null), jobs);

    List<Long> waits = result.simulatedWaits().get("linux");
    assertThat(waits).hasSize(4);
    assertThat(waits.stream().filter(w -> w == 0).count()).isEqualTo(3);
    assertThat(waits.stream().filter(w -> w > 0).findFirst().orElseThrow())
        .as("waits %s", waits).isBetween(1L, 30L + 180L);
    // the warm runners were asked of scale-up on the pool's queue, not launched by scale-down
    assertThat(result.queues().get("linux").asked().get("warm")).isPositive();
  }

  @Test
  void withMaximumOneTheThirdOfThreeJobsWaitsTwoJobLengthsPlusBootsAndTheQueueRetries() {
    long boot = 60;
    long length = 600;
    List<TraceJob> jobs = List.of(job(1, T0, length), job(2, T0, length), job(3, T0, length));
    TestWorld.Pool one = pool();
    one.max = 1;

    SimulationResult result = simulate(one.deployment(), scenario(boot, null), jobs);

    List<Long> waits = result.simulatedWaits().get("linux").stream().sorted().toList();
    assertThat(waits).hasSize(3);
    assertThat(waits.get(0)).isEqualTo(30 + boot);
    // a job at the maximum comes back as a new message after a backoff step of at most 40 s
    assertThat(waits.get(2)).isBetween(30 + 3 * boot + 2 * length, 30 + 3 * boot + 2 * length + 120);
    assertThat(result.overall().peakInstances()).isEqualTo(1);
  }

  @Test
  void jobsAtTheMaximumWaitAsNewMessagesForHoursAndAreNeverDeadLettered() {
    // one runner at a time, hour-long jobs, a queue that gives up after 2 receives
    TestWorld.Pool strict = pool();
    strict.max = 1;
    strict.maxReceiveCount = 2;
    strict.recheck = 0; // only the webhook's messages: their count is the point here
    List<TraceJob> jobs = List.of(job(1, T0, 3_600), job(2, T0, 3_600), job(3, T0, 3_600));

    SimulationResult result = simulate(strict.deployment(), scenario(60, null), jobs);

    assertThat(result.overall().deadLettered()).isZero();
    assertThat(result.overall().unserved()).isZero();
    List<Long> waits = result.simulatedWaits().get("linux").stream().sorted().toList();
    // each next job launches within one capped step (40 s) plus its jitter (5 s) of the
    // instance before it ending (the job, then its shutdown of 0 s here)
    assertThat(waits.get(1) - waits.get(0)).isBetween(3_600L + 60, 3_600L + 60 + 45);
    assertThat(waits.get(2) - waits.get(1)).isBetween(3_600L + 60, 3_600L + 60 + 45);
    // a wait every step: 2 jobs × about 90 returns an hour, 1 for the last one's second hour
    assertThat(result.queues().get("linux").waits()).isGreaterThan(200);
  }

  @Test
  void theBackoffStepsComeFromTheDeployedEnvironment() {
    TestWorld.Pool slow = pool();
    slow.max = 1;
    slow.recheck = 0;
    slow.backoffBaseSeconds = 60;
    slow.backoffMaxSeconds = 240;
    List<TraceJob> jobs = List.of(job(1, T0, 1_800), job(2, T0, 1_800));

    long gap = simulate(slow.deployment(), scenario(60, null), jobs).simulatedWaits().get("linux")
        .stream().sorted().reduce((a, b) -> b - a).orElseThrow();

    // 240 s steps on the pool's grid: the freed slot is taken up to a step and a half later
    assertThat(gap).isBetween(1_800L + 60, 1_800L + 60 + 240 + 30);
    assertThat(gap).isGreaterThan(1_800L + 60 + 45);
  }

  @Test
  void aBusyRunnerIsNeverScaledDownMidJob() {
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job(i + 1, T0.plus(Duration.ofMinutes(i * 7L)), 3_600 + i * 300L));
    }
    TestWorld.Pool persistent = pool();
    persistent.max = 4;
    persistent.ephemeral = false;
    persistent.delay = 0;

    SimulationResult result = simulate(persistent.deployment(), scenario(120, null), jobs);

    assertThat(result.busyRunnersTerminated()).isZero();
    assertThat(result.overall().unserved()).isZero();
    assertThat(result.simulatedWaits().get("linux")).hasSize(12);
    assertThat(result.timeline().getLast().instances().get("linux")).isZero();
  }

  // ---- faults as inputs -----------------------------------------------------------------------

  private static List<TraceJob> burst(int count, long duration) {
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(job(i + 1, T0.plusSeconds(i * 20L), duration));
    }
    return jobs;
  }

  @Test
  void withoutSpotCapacityTheLauncherFailsOverToOnDemand() {
    // one instance type in one subnet, out of spot capacity for the first 5 minutes of a burst
    Scenario scarce = scenario(60, "{\"spot\":{\"interruptionsPerHour\":0,"
        + "\"capacity\":{\"outagesPerDay\":0,\"outages\":[{\"instanceType\":\"m7i.large\","
        + "\"start\":\"" + T0 + "\",\"minutes\":5}]},"
        + "\"reclaimWaves\":{\"perWeek\":0}}}");
    Scenario plenty = scenario(60, null);
    List<TraceJob> jobs = burst(40, 300);

    SimulationResult scarceResult = simulate(pool().deployment(), scarce, jobs);
    SimulationResult plentyResult = simulate(pool().deployment(), plenty, jobs);

    assertThat(scarceResult.capacityErrors()).isPositive();
    assertThat(scarceResult.overall().onDemandInstances()).isPositive();
    assertThat(scarceResult.overall().spotShare()).isLessThan(1.0);
    assertThat(scarceResult.overall().unserved()).isZero();
    assertThat(plentyResult.capacityErrors()).isZero();
    assertThat(plentyResult.overall().spotShare()).isEqualTo(1.0);
  }

  @Test
  void aReclaimWaveTakesBootingInstancesAndScaleDownRescuesTheirJobs() {
    // one wave 2 minutes after the burst began, taking every running spot instance of the type:
    // all of them still booting (4 minutes)
    Scenario waves = scenario(240, "{\"spot\":{\"interruptionsPerHour\":0,"
        + "\"capacity\":{\"outagesPerDay\":0},"
        + "\"reclaimWaves\":{\"perWeek\":0,\"fraction\":1.0,\"instanceType\":\"m7i.large\","
        + "\"at\":[\"" + T0.plusSeconds(120) + "\"]}}}");
    List<TraceJob> jobs = burst(10, 120);

    SimulationResult result = simulate(pool().deployment(), waves, jobs);

    assertThat(result.reclaimWaves()).isEqualTo(1);
    // launched at T0+30 s, +50 s, ... +110 s: five instances when the wave comes
    assertThat(result.reclaimedInWaves()).isEqualTo(5);
    assertThat(result.interruptedJobs()).isZero();
    // every job still ran: instances lost while booting were relaunched for their jobs
    assertThat(result.overall().served()).isEqualTo(10);
    // 10 first launches, 5 relaunches for the reclaimed (by scale-down's rescue or the recheck)
    assertThat(result.overall().instancesLaunched()).isGreaterThanOrEqualTo(15);
  }

  @Test
  void overTheGitHubPointsBudgetCallsAreRefusedAndRetriedAndNoJobIsLost() {
    // 30 points a minute: a JIT config costs 5, a job check 1; a burst of 30 jobs cannot fit
    Scenario tight = scenario(60, "{\"github\":{\"pointsPerMinute\":30,\"retryAfterSeconds\":60}}");
    Scenario ample = scenario(60, null);
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      jobs.add(job(i + 1, T0, 300));
    }
    TestWorld.Pool big = pool();
    big.max = 40;

    SimulationResult refused = simulate(big.deployment(), tight, jobs);
    SimulationResult free = simulate(big.deployment(), ample, jobs);

    assertThat(refused.githubCallsRefused()).isPositive();
    assertThat(refused.overall().peakGitHubPointsPerMinute()).isLessThanOrEqualTo(30);
    assertThat(refused.overall().unserved()).isZero();
    assertThat(refused.overall().deadLettered()).isZero();
    assertThat(refused.overall().simulated().max()).isGreaterThan(free.overall().simulated().max());
    assertThat(free.githubCallsRefused()).isZero();
  }

  @Test
  void aGitHubOutageDelaysJobsUntilItEndsAndLosesNone() {
    Scenario outage = scenario(60, "{\"github\":{\"outages\":[{\"start\":\"" + T0
        + "\",\"minutes\":10}]}}");
    List<TraceJob> jobs = burst(5, 300);

    SimulationResult result = simulate(pool().deployment(), outage, jobs);

    assertThat(result.githubCallsFailedInOutage()).isPositive();
    assertThat(result.overall().unserved()).isZero();
    // nothing launches before the outage ends at T0 + 10 min; the first boot follows
    assertThat(result.simulatedWaits().get("linux")).allMatch(w -> w >= 60);
    assertThat(result.overall().simulated().percentile(0)).isGreaterThanOrEqualTo(600 - 80 + 60);
  }

  @Test
  void aListingThatLagsBehindLaunchesLetsScaleUpCountTooFewAndGoPastTheMaximum() {
    // a job every 5 s, scale-up taking 1 s: each invocation lists the pool right after the last
    // launch; a listing that leaves out instances younger than 30 s undercounts the pool
    Scenario lagging = scenario(60, "{\"ec2\":{\"listingLagSeconds\":30}}");
    Scenario consistent = scenario(60, null);
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      jobs.add(job(i + 1, T0.plusSeconds(5L * i), 1_800));
    }
    TestWorld.Pool three = pool();
    three.max = 3;
    three.batchSize = 1;

    SimulationResult lag = simulate(three.deployment(), lagging, jobs);
    SimulationResult none = simulate(three.deployment(), consistent, jobs);

    assertThat(none.overall().peakInstances()).isEqualTo(3);
    assertThat(lag.overall().peakInstances()).isGreaterThan(3);
    assertThat(lag.overall().unserved()).isZero();
  }

  @Test
  void aRecheckOfARunningJobAtTheMaximumWaitsAsNewMessagesAndIsNeverDeadLettered() {
    // One job on a pool of one, running for an hour. Its recheck (300 s) finds the pool full -
    // the job's own instance - so scale-up sends the recheck again after one backoff step, as a
    // new message each time (holding its own message would count receives until SQS moved it to
    // the DLQ after maxReceiveCount). Once the job has ended and left room, the recheck finds it
    // done.
    TestWorld.Pool one = pool();
    one.max = 1;
    one.maxReceiveCount = 5;

    SimulationResult result = simulate(one.deployment(), scenario(60, null),
        List.of(job(1, T0, 3_600)));

    assertThat(result.overall().served()).isEqualTo(1);
    assertThat(result.queues().get("linux").deadLetteredByReason()).isEmpty();
    assertThat(result.queues().get("linux").deadLetterDepth()).isZero();
    assertThat(result.overall().instancesLaunched()).isEqualTo(1);
  }

  @Test
  void aPrebuiltPoolBootsAsItsBootPathAndAnInstallPoolAsTheScenariosBoot() {
    Scenario scenario = scenario(100,
        "{\"bootByPath\":{\"prebuilt\":{\"type\":\"fixed\",\"seconds\":20}}}");
    TestWorld.Pool install = pool();
    TestWorld.Pool prebuilt = pool();
    prebuilt.bootPath = "prebuilt";

    long installWait = simulate(install.deployment(), scenario, List.of(job(1, T0, 60)))
        .simulatedWaits().get("linux").getFirst();
    long prebuiltWait = simulate(prebuilt.deployment(), scenario, List.of(job(1, T0, 60)))
        .simulatedWaits().get("linux").getFirst();

    assertThat(installWait - prebuiltWait).isEqualTo(80);
  }

  @Test
  void theBootPathIsReadFromTheLaunchTemplatesUserData() {
    String userData = java.util.Base64.getEncoder().encodeToString(
        "#!/bin/bash\nSPOTRUNNER_BOOT='prebuilt'\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(Deployment.bootPath(userData)).isEqualTo("prebuilt");
    assertThat(Deployment.bootPath("")).isEqualTo("none");
    assertThat(Deployment.bootPath(java.util.Base64.getEncoder().encodeToString("#!/bin/sh".getBytes(
        java.nio.charset.StandardCharsets.UTF_8)))).isEqualTo("custom");
  }
}
