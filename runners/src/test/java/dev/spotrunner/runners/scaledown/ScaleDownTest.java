package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.runners.scaledown.Fixture.ACME;
import static dev.spotrunner.runners.scaledown.Fixture.GLOBEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.runners.pool.LaggingFleet;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleDownTest {
  private final Fixture f = new Fixture();

  @Test
  void keepsAnInstanceYoungerThanTheMinimumRunningTime() {
    RunnerInstance young = f.instance(ACME, 4);
    GitHubRunner runner = f.runner(ACME, young, "online", false);

    CycleReport report = f.cycle();

    assertTrue(f.alive(young));
    assertTrue(f.registered(ACME, runner));
    assertEquals(1, report.get(Count.KEPT_YOUNG));
    assertEquals(0, f.fakeGitHub.calls("delete-runner"));
  }

  @Test
  void deregistersAnIdleRunnerAndThenTerminatesItsInstance() {
    RunnerInstance instance = f.instance(ACME, 30);
    GitHubRunner runner = f.runner(ACME, instance, "online", false);
    // At the moment of termination the runner must already be gone from GitHub.
    f.fakeGitHub.beforeDelete(id -> assertTrue(f.alive(instance), "terminated before deregistration"));

    CycleReport report = f.cycle();

    assertFalse(f.registered(ACME, runner));
    assertFalse(f.alive(instance));
    assertEquals(List.of(instance.id()), f.fleet.terminated());
    assertEquals(1, report.get(Count.IDLE_TERMINATED));
    assertEquals(1, f.fakeGitHub.calls("get-runner"), "busy flag read fresh before the delete");
  }

  @Test
  void neverTouchesABusyRunner() {
    RunnerInstance instance = f.instance(ACME, 300);
    GitHubRunner runner = f.runner(ACME, instance, "online", true);

    CycleReport report = f.cycle();

    assertTrue(f.alive(instance));
    assertTrue(f.registered(ACME, runner));
    assertEquals(0, f.fakeGitHub.calls("delete-runner"));
    assertEquals(1, report.get(Count.KEPT_BUSY));
  }

  @Test
  void keepsTheInstanceWhenTheRunnerTakesAJobBetweenListAndDelete() {
    RunnerInstance instance = f.instance(ACME, 30);
    GitHubRunner runner = f.runner(ACME, instance, "online", false);
    f.fakeGitHub.beforeDelete(id -> f.fakeGitHub.setRunner(ACME,
        new GitHubRunner(id, runner.name(), "online", true, runner.labels())));

    CycleReport report = f.cycle();

    assertTrue(f.alive(instance));
    assertTrue(f.registered(ACME, runner));
    assertEquals(1, f.fakeGitHub.calls("delete-runner"));
    assertEquals(1, report.get(Count.BUSY_AT_DELETE));
    assertEquals(0, report.get(Count.IDLE_TERMINATED));
  }

  @Test
  void doesNotDeleteWhenTheFreshReadShowsTheRunnerBusy() {
    RunnerInstance instance = f.instance(ACME, 30);
    GitHubRunner runner = f.runner(ACME, instance, "online", false);
    ScriptedGitHub scripted = new ScriptedGitHub(f.fakeGitHub);
    scripted.afterList = owner -> f.fakeGitHub.setRunner(ACME,
        new GitHubRunner(runner.id(), runner.name(), "online", true, runner.labels()));
    f.github = scripted;

    CycleReport report = f.cycle();

    assertTrue(f.alive(instance));
    assertEquals(0, f.fakeGitHub.calls("delete-runner"));
    assertEquals(1, report.get(Count.BUSY_AT_DELETE));
  }

  @Test
  void keepsTheInstanceWhenDeregistrationFails() {
    RunnerInstance failed = f.instance(ACME, 30);
    f.runner(ACME, failed, "online", false);
    RunnerInstance thrown = f.instance(ACME, 30);
    GitHubRunner thrownRunner = f.runner(ACME, thrown, "online", false);
    ScriptedGitHub scripted = new ScriptedGitHub(f.fakeGitHub);
    scripted.deleteAnswer = (owner, id) -> {
      if (id == thrownRunner.id()) {
        throw new TransientFailure("GitHub answered 503");
      }
      return DeleteResult.FAILED;
    };
    f.github = scripted;

    CycleReport report = f.cycle();

    assertTrue(f.alive(failed));
    assertTrue(f.alive(thrown));
    assertTrue(f.fleet.terminated().isEmpty());
    assertEquals(1, report.get(Count.DEREGISTER_FAILED));
    assertEquals(1, report.get(Count.ERRORS));
  }

  @Test
  void keepsTheInstanceOnNotFoundAndTerminatesItOnceAListConfirmsTheRunnerIsGone() {
    RunnerInstance instance = f.instance(ACME, 30);
    GitHubRunner runner = f.runner(ACME, instance, "online", false);
    ScriptedGitHub scripted = new ScriptedGitHub(f.fakeGitHub);
    scripted.deleteAnswer = (owner, id) -> {
      f.fakeGitHub.deleteRunner(owner, id); // someone else removed it just before us
      return DeleteResult.NOT_FOUND;
    };
    f.github = scripted;

    CycleReport first = f.cycle();
    assertTrue(f.alive(instance), "a 404 alone does not prove the runner is gone");
    assertEquals(1, first.get(Count.RUNNER_GONE));
    assertFalse(f.registered(ACME, runner));

    f.clock.advance(Duration.ofMinutes(5));
    CycleReport second = f.cycle();
    assertFalse(f.alive(instance));
    assertEquals(1, second.get(Count.ORPHAN_TERMINATED));
  }

  @Test
  void terminatesAnOrphanOnlyAfterTheBootGrace() {
    RunnerInstance booting = f.instance(ACME, 6);
    f.env.put("BOOT_GRACE_MINUTES", "10");
    RunnerInstance orphan = f.instance(ACME, 11);

    CycleReport report = f.cycle();

    assertTrue(f.alive(booting));
    assertFalse(f.alive(orphan));
    assertEquals(1, report.get(Count.KEPT_BOOTING));
    assertEquals(1, report.get(Count.ORPHAN_TERMINATED));
  }

  @Test
  void looksUpAnOrphansRunnerByIdBeforeTerminatingIt() {
    GitHubRunner elsewhere = f.fakeGitHub.addRunner(ACME, "renamed-runner", "online", true, List.of());
    RunnerInstance busyOrphan = f.instance(ACME, 30, "linux",
        Map.of(Tags.RUNNER_ID, String.valueOf(elsewhere.id())));
    RunnerInstance goneOrphan = f.instance(ACME, 30, "linux", Map.of(Tags.RUNNER_ID, "987654"));

    CycleReport report = f.cycle();

    assertTrue(f.alive(busyOrphan), "its runner, found by id, is busy");
    assertFalse(f.alive(goneOrphan));
    assertEquals(2, f.fakeGitHub.calls("get-runner"));
    assertEquals(1, report.get(Count.ORPHAN_TERMINATED));
  }

  @Test
  void deregistersGhostsButNotRunnersThatAreOnlineForeignOrOnAnotherPoolsInstance() {
    f.instance(ACME, 30); // gives the cycle a reason to list acme
    GitHubRunner ghost = f.fakeGitHub.addRunner(ACME, "prod-i-0123456789abcdef0", "offline", false, List.of());
    GitHubRunner online = f.fakeGitHub.addRunner(ACME, "prod-i-0123456789abcdef1", "online", false, List.of());
    GitHubRunner foreign = f.fakeGitHub.addRunner(ACME, "laptop-i-0123456789abcdef2", "offline", false, List.of());
    RunnerInstance otherPool = f.instance(ACME, 1, "windows", Map.of());
    GitHubRunner otherPoolRunner = f.runner(ACME, otherPool, "offline", false);

    CycleReport first = f.cycle();
    assertTrue(f.registered(ACME, ghost), "an unknown instance may be one EC2 does not list yet");
    assertEquals(1, first.get(Count.GHOST_UNCONFIRMED));
    f.clock.advance(f.settings().bootGrace());
    CycleReport report = f.cycle();

    assertFalse(f.registered(ACME, ghost));
    assertTrue(f.registered(ACME, online));
    assertTrue(f.registered(ACME, foreign));
    assertTrue(f.registered(ACME, otherPoolRunner));
    assertTrue(f.alive(otherPool));
    assertEquals(1, report.get(Count.GHOST_REMOVED));
  }

  @Test
  void keepsAJustRegisteredRunnerWhoseInstanceEc2DoesNotListYet() {
    f.fleetView = new LaggingFleet(f.fleet, f.clock, Duration.ofSeconds(2));
    f.instance(ACME, 30);
    RunnerInstance launched = f.instance(ACME, 0); // 0.5 s ago: not in the listing yet
    f.clock.advance(Duration.ofMillis(500));
    GitHubRunner jit = f.runner(ACME, launched, "offline", false);

    CycleReport report = f.cycle();

    assertTrue(f.registered(ACME, jit));
    assertTrue(f.alive(launched));
    assertEquals(0, report.get(Count.GHOST_REMOVED));
    assertEquals(1, report.get(Count.GHOST_UNCONFIRMED));
    // Listed by the next cycle, its instance is young, its runner no longer a candidate.
    f.clock.advance(Duration.ofMinutes(1));
    CycleReport next = f.cycle();
    assertTrue(f.registered(ACME, jit));
    assertEquals(0, next.get(Count.GHOST_UNCONFIRMED));
    assertEquals(1, next.get(Count.KEPT_YOUNG));
    assertTrue(f.parameters.get("/prod/runners/linux/ghosts").isEmpty(), "sightings forgotten");
  }

  @Test
  void removesAGhostOnlyAfterSeeingItForTheBootGraceTimeAcrossCycles() {
    f.instance(ACME, 30);
    GitHubRunner ghost =
        f.fakeGitHub.addRunner(ACME, "prod-i-0123456789abcdef0", "offline", false, List.of());

    f.cycle();
    f.clock.advance(f.settings().bootGrace().minusSeconds(1));
    CycleReport early = f.cycle();
    assertTrue(f.registered(ACME, ghost));
    assertEquals(1, early.get(Count.GHOST_UNCONFIRMED));
    f.clock.advance(Duration.ofSeconds(1));
    CycleReport due = f.cycle();

    assertFalse(f.registered(ACME, ghost));
    assertEquals(1, due.get(Count.GHOST_REMOVED));
  }

  @Test
  void keepsGhostCandidatesWhenTheSightingsCannotBeRead() {
    f.instance(ACME, 30);
    GitHubRunner ghost =
        f.fakeGitHub.addRunner(ACME, "prod-i-0123456789abcdef0", "offline", false, List.of());
    f.cycle();
    f.clock.advance(f.settings().bootGrace());
    f.failingReads.add("/prod/runners/linux/ghosts");

    CycleReport report = f.cycle();

    assertTrue(f.registered(ACME, ghost));
    assertEquals(0, report.get(Count.GHOST_REMOVED));
  }

  @Test
  void aCycleGoesOnWhenSsmRefusesTheKnownOwnersAsTooLarge() {
    // 700 repository owners of about 13 characters: over SSM's 8 KB, ParameterRefused on save
    for (int i = 0; i < 700; i++) {
      f.instance(dev.spotrunner.common.job.RunnerOwner.repo("acme", "repo-" + i), 1);
    }
    f.env.put("MAX_RUNNERS", "1000");
    RunnerInstance stranded = f.instance(ACME, 2, "linux",
        Map.of(Tags.JOB_ID, "4242", Tags.REPOSITORY, "acme/api"));
    f.fakeGitHub.job(new dev.spotrunner.common.github.WorkflowJob(4242L, 1L, "queued",
        List.of("self-hosted"), Fixture.NOW, null));
    f.fleet.interrupt(stranded.id());

    CycleReport report = f.cycle();

    assertTrue(f.parameters.get("/prod/runners/linux/owners").isEmpty());
    assertEquals(1, report.get(Count.ERRORS), "the refused save is counted");
    assertEquals(1, report.get(Count.RESCUE_ASKED), "the steps after it still ran");
  }

  @Test
  void findsAGhostOfAnOwnerWhoseLastInstanceIsGone() {
    RunnerInstance instance = f.instance(GLOBEX, 30);
    f.runner(GLOBEX, instance, "online", true);
    f.cycle(); // remembers globex

    f.fleet.terminate(List.of(instance.id())); // spot interruption: the runner stays behind
    f.fakeGitHub.setRunner(GLOBEX, new GitHubRunner(f.fakeGitHub.runners(GLOBEX).iterator().next().id(),
        "prod-" + instance.id(), "offline", false, List.of()));
    CycleReport report = f.cycle();

    assertTrue(f.fakeGitHub.runners(GLOBEX).isEmpty());
    assertEquals(1, report.get(Count.GHOST_REMOVED));
    assertEquals("globex", f.parameters.get("/prod/runners/linux/owners").orElseThrow());
  }

  @Test
  void deletesRunnerConfigsOfInstancesThatNoLongerExist() {
    RunnerInstance alive = f.instance(ACME, 1);
    f.parameters.with("/prod/runners/linux/" + alive.id(), "{}")
        .with("/prod/runners/linux/i-00000000deadbeef", "{}")
        .with("/prod/runners/linux/not-an-instance", "x")
        .with("/prod/runners/windows/i-00000000deadbeef", "{}");

    CycleReport report = f.cycle();

    assertEquals(List.of("/prod/runners/linux/i-00000000deadbeef"), f.parameters.deleted());
    assertEquals(1, report.get(Count.CONFIG_DELETED));
  }

  @Test
  void handlesEveryPageOfAnOwnersRunnersAndListsEachOwnerOnce() {
    // GitHub pages at 100 runners; the port returns every page, so runner 250 is seen too.
    for (int i = 0; i < 249; i++) {
      f.fakeGitHub.addRunner(ACME, "other-" + i, "online", true, List.of());
    }
    GitHubRunner last = f.idleRunner(ACME, 30);
    f.idleRunner(GLOBEX, 30);

    CycleReport report = f.cycle();

    assertFalse(f.registered(ACME, last));
    assertEquals(2, f.fakeGitHub.calls("list-runners"));
    assertEquals(2, report.get(Count.OWNERS_LISTED));
    assertEquals(2, report.get(Count.IDLE_TERMINATED));
  }

  @Test
  void anOwnerThatFailsDoesNotStopTheCycleForTheOthers() {
    RunnerInstance acme = f.instance(ACME, 30);
    f.runner(ACME, acme, "online", false);
    RunnerInstance globex = f.instance(GLOBEX, 30);
    f.runner(GLOBEX, globex, "online", false);
    RunnerInstance globexGetFails = f.instance(GLOBEX, 30);
    GitHubRunner failing = f.runner(GLOBEX, globexGetFails, "online", false);
    ScriptedGitHub scripted = new ScriptedGitHub(f.fakeGitHub);
    scripted.beforeList = owner -> {
      if (owner.equals(ACME)) {
        throw new TransientFailure("GitHub answered 502");
      }
    };
    scripted.getFails = (owner, id) -> id == failing.id();
    f.github = scripted;

    CycleReport report = f.cycle();

    assertTrue(f.alive(acme), "unlisted owner: nothing is known about its runner");
    assertTrue(f.alive(globexGetFails));
    assertFalse(f.alive(globex));
    assertEquals(1, report.get(Count.KEPT_UNLISTED));
    assertEquals(2, report.get(Count.ERRORS));
  }

  @Test
  void keepsAnInstanceWithoutOwnerTag() {
    RunnerInstance untagged = f.instance(null, 300);

    CycleReport report = f.cycle();

    assertTrue(f.alive(untagged));
    assertEquals(1, report.get(Count.KEPT_UNKNOWN_OWNER));
  }

  @Test
  void deletionsBeyondThePointsBudgetWaitForTheNextCycle() {
    for (int i = 0; i < 10; i++) {
      f.idleRunner(ACME, 30);
    }
    // one list (1 point) and three removals (get 1 + delete 5 each) fit in 19 points
    f.budget = new PointsPerMinute(19, f.clock);
    ScaleDown scaleDown = f.scaleDown();

    CycleReport first = scaleDown.run();
    assertEquals(3, first.get(Count.IDLE_TERMINATED));
    assertEquals(7, first.get(Count.DEFERRED));
    assertEquals(7, f.fleet.all().size());

    f.clock.advance(Duration.ofSeconds(61));
    CycleReport second = scaleDown.run();
    assertEquals(3, second.get(Count.IDLE_TERMINATED));
    assertEquals(4, f.fleet.all().size());
  }

  @Test
  void writesOneEmfDocumentWithTheCountsPerRule() throws Exception {
    f.idleRunner(ACME, 30);
    f.instance(ACME, 1);

    f.cycle();

    // the counts and runner gauges by pool; then InstancesRunning by pool and capacity type
    assertEquals(1 + dev.spotrunner.common.fleet.CapacityType.values().length, f.emfLines.size());
    JsonNode emf = Json.MAPPER.readTree(f.emfLines.get(0));
    JsonNode directive = emf.path("_aws").path("CloudWatchMetrics").get(0);
    assertEquals("spotrunner", directive.path("Namespace").asText());
    assertEquals("pool", directive.path("Dimensions").get(0).get(0).asText());
    assertEquals(CycleReport.Count.values().length + 2, directive.path("Metrics").size());
    assertEquals("linux", emf.path("pool").asText());
    assertEquals(1.0, emf.path("IdleTerminated").asDouble());
    assertEquals(1.0, emf.path("KeptYoung").asDouble());
    assertEquals(0.0, emf.path("Errors").asDouble());
  }

  @Test
  void defersDeletionsWhenTheGovernorReportsTheInstallationsPointsSpent() {
    for (int i = 0; i < 4; i++) {
      f.idleRunner(ACME, 30);
    }
    f.fakeGitHub.pointsLeft(5); // enough to list, not for a read plus a delete
    f.budget = RequestBudget.governedBy(f.fakeGitHub, f.clock);

    CycleReport report = f.cycle();

    assertEquals(4, report.get(Count.DEFERRED));
    assertEquals(0, f.fakeGitHub.calls("delete-runner"));
    assertEquals(4, f.fleet.all().size());
  }
}
