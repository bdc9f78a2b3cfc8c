package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.runners.scaledown.Fixture.ACME;
import static dev.spotrunner.runners.scaledown.Fixture.GLOBEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmRunnersTest {
  private final Fixture f = new Fixture();

  // Fixture.NOW is Wednesday 10:00 UTC, 11:00 in Berlin.
  private void window(String json) {
    f.env.put("WARM_WINDOWS", json);
  }

  @Test
  void keepsTheNewestIdleRunnersDuringAWindowWhenEvictingTheOldest() {
    window("[{\"cron\": \"* 9-17 * * MON-FRI\", \"timeZone\": \"Europe/Berlin\", \"idle\": 2}]");
    RunnerInstance oldest = f.instance(ACME, 90);
    f.runner(ACME, oldest, "online", false);
    RunnerInstance middle = f.instance(ACME, 60);
    f.runner(ACME, middle, "online", false);
    RunnerInstance newest = f.instance(ACME, 30);
    f.runner(ACME, newest, "online", false);

    CycleReport report = f.cycle();

    assertFalse(f.alive(oldest));
    assertTrue(f.alive(middle));
    assertTrue(f.alive(newest));
    assertEquals(2, report.get(Count.KEPT_WARM));
    assertEquals(0, report.get(Count.WARM_ASKED));
  }

  @Test
  void keepsTheOldestWhenEvictingTheNewest() {
    window("[{\"cron\": \"* * * * *\", \"idle\": 1}]");
    f.env.put("WARM_EVICTION", "newest");
    RunnerInstance oldest = f.instance(ACME, 90);
    f.runner(ACME, oldest, "online", false);
    RunnerInstance newest = f.instance(ACME, 30);
    f.runner(ACME, newest, "online", false);

    f.cycle();

    assertTrue(f.alive(oldest));
    assertFalse(f.alive(newest));
  }

  @Test
  void removesEveryIdleRunnerOutsideTheWindow() {
    window("[{\"cron\": \"* 9-17 * * SAT,SUN\", \"timeZone\": \"Europe/Berlin\", \"idle\": 3}]");
    f.idleRunner(ACME, 30);
    f.idleRunner(ACME, 40);

    CycleReport report = f.cycle();

    assertEquals(2, report.get(Count.IDLE_TERMINATED));
    assertTrue(f.launchRequests.isEmpty());
  }

  @Test
  void countsBootingAndYoungRunnersTowardsTheWarmCountAndLaunchesTheRest() {
    window("[{\"cron\": \"* * * * *\", \"idle\": 4}]");
    f.instance(ACME, 1); // young, no runner yet
    f.runner(ACME, f.instance(ACME, 2), "online", false); // young and idle
    f.idleRunner(ACME, 30);

    CycleReport report = f.cycle();

    assertEquals(1, report.get(Count.KEPT_WARM));
    assertEquals(List.of("acme"), f.launchRequests);
    assertEquals(1, report.get(Count.WARM_ASKED));
  }

  @Test
  void asksForTheWholeShortfallAndScaleUpLaunchesWithinThePoolMaximum() {
    window("[{\"cron\": \"* * * * *\", \"idle\": 5}]");
    f.env.put("MAX_RUNNERS", "3");
    f.runner(ACME, f.instance(ACME, 30), "online", true);

    f.cycle();

    assertEquals(5, f.launchRequests.size(), "scale-down asks, scale-up counts the pool");
    assertEquals(1, f.fleet.all().size(), "scale-down launched nothing itself");
    f.serveAsks();
    assertEquals(3, f.fleet.all().size());
  }

  @Test
  void launchesForTheOwnerTheWindowNamesWhenThePoolHasSeveral() {
    window("[{\"cron\": \"* * * * *\", \"idle\": 1, \"owner\": \"globex\"}]");
    f.runner(ACME, f.instance(ACME, 30), "online", true);
    f.runner(GLOBEX, f.instance(GLOBEX, 30), "online", true);

    f.cycle();

    assertEquals(List.of("globex"), f.launchRequests);
  }

  @Test
  void scaleUpLaunchesTheWarmRunnersScaleDownAskedFor() {
    window("[{\"cron\": \"* * * * *\", \"idle\": 2}]");
    f.runner(ACME, f.instance(ACME, 30), "online", true);

    CycleReport first = f.cycle();
    f.serveAsks();

    assertEquals(2, first.get(Count.WARM_ASKED));
    List<RunnerInstance> warm = f.fleet.all().stream()
        .filter(i -> i.tag(Tags.JOB_ID) == null && i.tag(Tags.RUNNER_ID) != null).toList();
    assertEquals(2, warm.size());
    for (RunnerInstance instance : warm) {
      assertEquals("acme", instance.tag(Tags.OWNER));
      assertEquals("linux", instance.tag(Tags.POOL));
      assertTrue(f.parameters.get("/prod/runners/linux/" + instance.id()).isPresent());
    }
    assertEquals(3, f.fakeGitHub.runners(ACME).size(), "two JIT runners registered");

    f.clock.advance(java.time.Duration.ofMinutes(1));
    CycleReport second = f.cycle();
    assertEquals(2, second.get(Count.KEPT_YOUNG), "the warm runners still boot");
    assertEquals(0, second.get(Count.WARM_ASKED));
    assertEquals(0, second.get(Count.CONFIG_DELETED));
  }

  @Test
  void launchesNothingWhenTheOwnerIsAmbiguous() {
    window("[{\"cron\": \"* * * * *\", \"idle\": 1}]");
    f.runner(ACME, f.instance(ACME, 30), "online", true);
    f.runner(GLOBEX, f.instance(GLOBEX, 30), "online", true);

    CycleReport report = f.cycle();

    assertTrue(f.launchRequests.isEmpty());
    assertEquals(0, report.get(Count.WARM_ASKED));
  }
}
