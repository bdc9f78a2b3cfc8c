package dev.spotrunner.simulator;

import static dev.spotrunner.simulator.TestWorld.T0;
import static dev.spotrunner.simulator.TestWorld.job;
import static dev.spotrunner.simulator.TestWorld.pool;
import static dev.spotrunner.simulator.TestWorld.scenario;
import static dev.spotrunner.simulator.TestWorld.simulate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The spot circuit breaker and re-runs (issue 15), several GitHub Apps (issue 16). */
class SpotAndAppsTest {
  /** m7i.large is the cheaper spot type, so EC2 places there while it may. */
  private static final String PRICES = "\"prices\":{\"m7i.large\":{\"onDemand\":0.1,\"spot\":0.03},"
      + "\"m6i.large\":{\"onDemand\":0.1,\"spot\":0.04}}";
  /** m7i.large in subnet-a reclaims 6 instances an hour each, all trace long. */
  private static final String BAD_MARKET = "{\"spot\":{\"interruptionsPerHour\":0,"
      + "\"capacity\":{\"outagesPerDay\":0},\"reclaimWaves\":{\"perWeek\":0},\"badMarkets\":["
      + "{\"instanceType\":\"m7i.large\",\"subnet\":\"subnet-a\",\"start\":\"2025-09-01T09:00:00Z\","
      + "\"minutes\":1440,\"interruptionsPerHour\":6}]}," + PRICES + "}";

  @BeforeAll
  static void quiet() {
    Log.setLevel(Log.Level.ERROR);
  }

  private static TestWorld.Pool spotPool(int breakerThreshold) {
    TestWorld.Pool pool = pool();
    pool.max = 100;
    pool.instanceTypes = "m7i.large,m6i.large";
    pool.subnets = "subnet-a,subnet-b";
    pool.interruptionPools = "{\"linux\":{\"rerun\":true,\"max_reruns\":2,\"breaker_threshold\":"
        + breakerThreshold + ",\"breaker_window_minutes\":15,\"breaker_cooldown_minutes\":30}}";
    return pool;
  }

  /** A job a minute for three hours, each 20 minutes long. */
  private static List<TraceJob> steadyJobs() {
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 180; i++) {
      jobs.add(job(i + 1, T0.plusSeconds(60L * i), 1200));
    }
    return jobs;
  }

  @Test
  void theBreakerLeavesABadMarketOutAndFewerJobsAreInterruptedThanWithItOff() {
    Scenario scenario = scenario(60, BAD_MARKET);
    SimulationResult off = simulate(spotPool(0).deployment(), scenario, steadyJobs());
    SimulationResult on = simulate(spotPool(3).deployment(), scenario, steadyJobs());

    // off: every launch goes to the cheap, bad market; a 20-minute job there is lost 86 % of the time
    assertThat(off.resilience().breakersOpened()).isZero();
    assertThat(off.overall().interruptedJobs()).isGreaterThan(100);
    assertThat(on.resilience().breakersOpened()).isPositive();
    assertThat(on.overall().interruptedJobs()).isLessThan(off.overall().interruptedJobs() / 2);
    assertThat(on.overall().jobMinutesLost()).isLessThan(off.overall().jobMinutesLost() / 2);
    // interrupted jobs are re-run as new jobs and served; none is left waiting
    assertThat(off.resilience().reruns()).isPositive();
    assertThat(on.resilience().reruns()).isPositive();
    assertThat(on.overall().unserved()).isZero();
    assertThat(off.overall().unserved()).isZero();
  }

  /**
   * GitHub gives a queued job to whichever fitting runner is idle first, so with a job a minute
   * runners often run another job than the one their instance was launched for. Every job spot
   * interrupted is followed all the same (the webhook's job start tags the runner's instance): it is
   * re-run, or it was at its limit, or it finished inside the two-minute notice.
   */
  @Test
  void everyInterruptedJobIsFollowedWhicheverJobItsInstanceWasLaunchedFor() {
    SimulationResult result = simulate(spotPool(0).deployment(), scenario(60, BAD_MARKET), steadyJobs());

    Map<String, Integer> outcomes = result.resilience().interruptionOutcomes();
    int interrupted = result.overall().interruptedJobs();
    int rerun = outcomes.getOrDefault("metric JobsRerun", 0);
    int atLimit = outcomes.getOrDefault("metric RerunsAtLimit", 0);
    int notNeeded = outcomes.getOrDefault("metric RerunsNotNeeded", 0);
    System.out.printf("interrupted %d, re-run %d, at limit %d, not needed %d, outcomes %s%n",
        interrupted, rerun, atLimit, notNeeded, outcomes);
    assertThat(interrupted).isGreaterThan(10);
    assertThat(rerun).isEqualTo(result.resilience().reruns());
    assertThat(rerun + atLimit).isEqualTo(interrupted);
  }

  @Test
  void anInterruptedJobIsReRunOnANewInstanceAtMostTheDeployedNumberOfTimes() {
    TestWorld.Pool pool = spotPool(0);
    pool.instanceTypes = "m7i.large";
    pool.subnets = "subnet-a";
    // every instance is taken within minutes: a 2-hour job never finishes
    Scenario scenario = scenario(60, BAD_MARKET.replace("\"interruptionsPerHour\":6",
        "\"interruptionsPerHour\":60"));
    SimulationResult result = simulate(pool.deployment(), scenario, List.of(job(1, T0, 7200)));

    // the job and its two re-runs, each on its own instance, each interrupted
    assertThat(result.resilience().reruns()).isEqualTo(2);
    assertThat(result.overall().jobs()).isEqualTo(3);
    assertThat(result.overall().interruptedJobs()).isEqualTo(3);
    assertThat(result.overall().instancesLaunched()).isGreaterThanOrEqualTo(3);
  }

  /** 300 JIT jobs at once against 60 points a minute per App installation. */
  private static SimulationResult overloaded(int apps) {
    TestWorld.Pool pool = pool();
    pool.max = 1000;
    pool.apps = apps;
    pool.delay = 0;
    Scenario scenario = scenario(60, "{\"github\":{\"pointsPerMinute\":60,"
        + "\"retryAfterSeconds\":60}}");
    List<TraceJob> jobs = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      jobs.add(job(i + 1, T0, 600));
    }
    return simulate(pool.deployment(), scenario, jobs);
  }

  @Test
  void twoAppsLaunchTwiceAsManyRunnersAMinuteAsOneWithinTheirBudgets() {
    SimulationResult one = overloaded(1);
    SimulationResult two = overloaded(2);

    assertThat(one.resilience().githubApps()).isEqualTo(1);
    assertThat(two.resilience().githubApps()).isEqualTo(2);
    // no App's installation ever spent more than its 60 points in a minute
    assertThat(one.resilience().peakPointsPerApp()).isLessThanOrEqualTo(60);
    assertThat(two.resilience().peakPointsPerApp()).isLessThanOrEqualTo(60);
    // together the two Apps spend past one App's limit, and launch twice as many a minute
    assertThat(two.overall().peakGitHubPointsPerMinute()).isGreaterThan(60);
    assertThat(two.overall().peakLaunchesPerMinute())
        .isGreaterThanOrEqualTo(2 * one.overall().peakLaunchesPerMinute() - 1);
    assertThat(two.overall().simulated().percentile(50))
        .isLessThan(one.overall().simulated().percentile(50) * 2 / 3);
    assertThat(one.overall().unserved()).isZero();
    assertThat(two.overall().unserved()).isZero();
  }
}
