package dev.spotrunner.runners.scaledown;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.scaledown.IdlePolicy.Plan;
import dev.spotrunner.runners.scaledown.IdlePolicy.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rules alone, on a fixed clock: minimum running time 5 minutes, boot grace 10 minutes (set
 * apart so each rule shows), a warm window asking for idle runners in office hours.
 */
class IdlePolicyTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
  static final Instant NOW = CLOCK.instant();
  static final RunnerOwner ACME = RunnerOwner.org("acme");
  static final String PREFIX = "prod-";

  private final Map<String, String> env = new HashMap<>(Fixture.baseEnv());
  private final List<RunnerInstance> instances = new ArrayList<>();
  private final List<GitHubRunner> runners = new ArrayList<>();
  private long nextInstance = 0x1000;

  IdlePolicyTest() {
    env.put("MINIMUM_RUNNING_TIME_MINUTES", "5");
    env.put("BOOT_GRACE_MINUTES", "10");
  }

  @Test
  void anInstanceYoungerThanTheMinimumRunningTimeIsKeptEvenIdle() {
    RunnerInstance young = instance(Duration.ofMinutes(5).minusSeconds(1));
    runner(young, "online", false);

    assertEquals(Verdict.YOUNG, verdictOf(young));
  }

  @Test
  void anIdleRunnerGoesAtExactlyTheMinimumRunningTime() {
    RunnerInstance due = instance(Duration.ofMinutes(5));
    runner(due, "online", false);

    assertEquals(Verdict.IDLE, verdictOf(due));
  }

  @Test
  void anInstanceWithoutARunnerIsBootingWithinTheGraceTimeAndAnOrphanFromItsEnd() {
    RunnerInstance booting = instance(Duration.ofMinutes(10).minusSeconds(1));
    RunnerInstance orphan = instance(Duration.ofMinutes(10));

    Plan plan = decide();

    assertEquals(Verdict.BOOTING, verdictOf(plan, booting));
    assertEquals(Verdict.ORPHAN, verdictOf(plan, orphan));
  }

  @Test
  void aRunnerThatNeverCameOnlineIsBootingWithinTheGraceTimeAndIdleAfter() {
    RunnerInstance booting = instance(Duration.ofMinutes(9));
    runner(booting, "offline", false);
    RunnerInstance broken = instance(Duration.ofMinutes(10));
    runner(broken, "offline", false);

    Plan plan = decide();

    assertEquals(Verdict.BOOTING, verdictOf(plan, booting));
    assertEquals(Verdict.IDLE, verdictOf(plan, broken));
  }

  @Test
  void aBusyRunnerIsNeverRemovedWhateverItsAge() {
    RunnerInstance fresh = instance(Duration.ZERO);
    runner(fresh, "online", true);
    RunnerInstance old = instance(Duration.ofDays(3));
    runner(old, "online", true);
    RunnerInstance offlineBusy = instance(Duration.ofHours(2));
    runner(offlineBusy, "offline", true);

    Plan plan = decide();

    assertEquals(List.of(Verdict.BUSY, Verdict.BUSY, Verdict.BUSY),
        List.of(verdictOf(plan, fresh), verdictOf(plan, old), verdictOf(plan, offlineBusy)));
  }

  @Test
  void aBusyRunnerProtectsItsInstanceWhenAnotherRegistrationOfItIsIdle() {
    RunnerInstance instance = instance(Duration.ofHours(1));
    runner(instance, "online", false);
    runner(instance, "online", true);

    assertEquals(Verdict.BUSY, verdictOf(instance));
  }

  @Test
  void theWarmWindowKeepsItsIdleRunnersAndNoMore() {
    env.put("WARM_WINDOWS", "[{\"cron\": \"* 9-17 * * 1-5\", \"idle\": 2}]");
    List<RunnerInstance> idle = new ArrayList<>();
    for (int minutes : new int[] {30, 40, 50}) {
      RunnerInstance instance = instance(Duration.ofMinutes(minutes));
      runner(instance, "online", false);
      idle.add(instance);
    }

    Plan plan = decide();

    // Eviction OLDEST (the default): the oldest goes, the two newest stay warm.
    assertEquals(List.of(Verdict.WARM, Verdict.WARM, Verdict.IDLE),
        idle.stream().map(i -> verdictOf(plan, i)).toList());
    assertEquals(2, plan.warmTarget());
    assertEquals(0, plan.warmMissing());
  }

  @Test
  void evictionNewestKeepsTheOldestWarm() {
    env.put("WARM_WINDOWS", "[{\"cron\": \"* 9-17 * * 1-5\", \"idle\": 1}]");
    env.put("WARM_EVICTION", "newest");
    RunnerInstance older = instance(Duration.ofMinutes(50));
    runner(older, "online", false);
    RunnerInstance newer = instance(Duration.ofMinutes(30));
    runner(newer, "online", false);

    Plan plan = decide();

    assertEquals(Verdict.WARM, verdictOf(plan, older));
    assertEquals(Verdict.IDLE, verdictOf(plan, newer));
  }

  @Test
  void youngAndBootingInstancesCountTowardsTheWarmTarget() {
    env.put("WARM_WINDOWS", "[{\"cron\": \"* 9-17 * * 1-5\", \"idle\": 3}]");
    RunnerInstance young = instance(Duration.ofMinutes(1));
    runner(young, "online", false);
    instance(Duration.ofMinutes(2)); // booting, no runner yet
    RunnerInstance idle = instance(Duration.ofMinutes(30));
    runner(idle, "online", false);

    Plan plan = decide();

    assertEquals(Verdict.WARM, verdictOf(plan, idle));
    assertEquals(0, plan.warmMissing());
  }

  @Test
  void outsideTheWindowNoIdleRunnerIsKeptAndNoneIsMissing() {
    env.put("WARM_WINDOWS", "[{\"cron\": \"* 9 * * 1-5\", \"idle\": 2}]"); // 09:00-09:59 only
    RunnerInstance idle = instance(Duration.ofMinutes(30));
    runner(idle, "online", false);

    Plan plan = decide();

    assertEquals(Verdict.IDLE, verdictOf(plan, idle));
    assertEquals(0, plan.warmTarget());
    assertEquals(0, plan.warmMissing());
  }

  @Test
  void theWindowAsksForWhatThePoolLacksUnlessAnOwnerWentUnlisted() {
    env.put("WARM_WINDOWS", "[{\"cron\": \"* 9-17 * * 1-5\", \"idle\": 2}]");

    assertEquals(2, decide().warmMissing());
    assertEquals(0, policy().decide(NOW, instances, ids(), Map.of(ACME, runners),
        Set.of(RunnerOwner.org("globex"))).warmMissing(), "an unlisted owner may have idle runners");
  }

  @Test
  void anInstanceWhoseOwnerWasNotListedIsKept() {
    RunnerInstance instance = instance(Duration.ofHours(1));

    Plan plan = policy().decide(NOW, instances, ids(), Map.of(), Set.of(ACME));

    assertEquals(Verdict.UNLISTED, verdictOf(plan, instance));
  }

  @Test
  void anInstanceWithoutAReadableOwnerIsKept() {
    RunnerInstance untagged = new RunnerInstance(new InstanceId("i-0000000000000beef"), "running",
        NOW.minus(Duration.ofHours(5)), CapacityType.SPOT, Map.of(Tags.POOL, "linux"));
    RunnerInstance garbled = new RunnerInstance(new InstanceId("i-0000000000000cafe"), "running",
        NOW.minus(Duration.ofHours(5)), CapacityType.SPOT,
        Map.of(Tags.POOL, "linux", Tags.OWNER, "../x"));
    instances.add(untagged);
    instances.add(garbled);

    Plan plan = decide();

    assertEquals(Verdict.UNKNOWN_OWNER, verdictOf(plan, untagged));
    assertEquals(Verdict.UNKNOWN_OWNER, verdictOf(plan, garbled));
  }

  @Test
  void anInstanceWithoutALaunchTimeCountsAsJustLaunched() {
    RunnerInstance unknownAge = new RunnerInstance(new InstanceId("i-0000000000000abcd"),
        "pending", null, CapacityType.SPOT, Map.of(Tags.POOL, "linux", Tags.OWNER, "acme"));
    instances.add(unknownAge);

    assertEquals(Verdict.YOUNG, verdictOf(unknownAge));
  }

  @Test
  void anOfflineRunnerOfOursWithoutAnInstanceIsAGhostCandidateAndNothingElseIs() {
    GitHubRunner ghost = new GitHubRunner(90, PREFIX + "i-0000000000000dead", "offline", false,
        List.of());
    GitHubRunner busyGhost = new GitHubRunner(91, PREFIX + "i-0000000000000feed", "offline", true,
        List.of());
    GitHubRunner onlineGhost = new GitHubRunner(92, PREFIX + "i-0000000000000face", "online",
        false, List.of());
    GitHubRunner someoneElses = new GitHubRunner(93, "laptop", "offline", false, List.of());
    runners.addAll(List.of(ghost, busyGhost, onlineGhost, someoneElses));

    Plan plan = decide();

    assertEquals(List.of(ghost), plan.ghosts().stream().map(IdlePolicy.Ghost::runner).toList());
  }

  @Test
  void anOfflineRunnerWhoseInstanceRunsInAnotherPoolIsNoGhost() {
    GitHubRunner other = new GitHubRunner(94, PREFIX + "i-0000000000000aaaa", "offline", false,
        List.of());
    runners.add(other);

    Plan plan = policy().decide(NOW, instances,
        Set.of(new InstanceId("i-0000000000000aaaa")), Map.of(ACME, runners), Set.of());

    assertEquals(List.of(), plan.ghosts());
  }

  // --- helpers

  private IdlePolicy policy() {
    return new IdlePolicy(ScaleDownSettings.fromEnv(env));
  }

  private Plan decide() {
    return policy().decide(NOW, instances, ids(), Map.of(ACME, runners), Set.of());
  }

  private Verdict verdictOf(RunnerInstance instance) {
    return verdictOf(decide(), instance);
  }

  static Verdict verdictOf(Plan plan, RunnerInstance instance) {
    List<Verdict> verdicts = plan.decisions().stream()
        .filter(d -> d.instance().id().equals(instance.id())).map(IdlePolicy.Decision::verdict)
        .toList();
    assertEquals(1, verdicts.size(), "one decision per instance: " + verdicts);
    return verdicts.get(0);
  }

  private Set<InstanceId> ids() {
    return instances.stream().map(RunnerInstance::id).collect(Collectors.toCollection(HashSet::new));
  }

  private RunnerInstance instance(Duration age) {
    RunnerInstance instance = new RunnerInstance(
        new InstanceId(String.format("i-%017x", nextInstance++)), "running", NOW.minus(age),
        CapacityType.SPOT, Map.of(Tags.POOL, "linux", Tags.OWNER, ACME.toString()));
    instances.add(instance);
    return instance;
  }

  private void runner(RunnerInstance instance, String status, boolean busy) {
    runners.add(new GitHubRunner(runners.size() + 1, PREFIX + instance.id().value(), status, busy,
        List.of("self-hosted")));
  }
}
