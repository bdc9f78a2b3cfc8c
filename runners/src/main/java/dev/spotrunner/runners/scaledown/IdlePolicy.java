package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scale-down rules as a pure function: what one cycle should do with each of the pool's
 * instances and with the owners' runners, given what EC2 and GitHub listed. It decides; {@link
 * ScaleDown} acts, reading each runner's busy flag again right before any delete.
 */
public final class IdlePolicy {

  /** What happens to one instance this cycle. */
  public enum Verdict {
    /** Its runner runs a job: never touched. */
    BUSY,
    /** Younger than the minimum running time: kept. */
    YOUNG,
    /** No runner yet, or its runner has not come online, within the boot grace time: kept. */
    BOOTING,
    /** Idle, kept as one of the warm window's idle runners. */
    WARM,
    /** Idle and not needed: deregister the runner, then terminate the instance. */
    IDLE,
    /** No runner after the boot grace time: terminate (after a last check by runner id). */
    ORPHAN,
    /** Its owner's runners could not be listed this cycle: kept. */
    UNLISTED,
    /** It has no readable owner tag, so its runner cannot be checked: kept. */
    UNKNOWN_OWNER
  }

  public record Decision(RunnerInstance instance, RunnerOwner owner, GitHubRunner runner,
      Verdict verdict) {}

  /**
   * A runner of ours, offline, whose instance the listing does not show: a candidate ghost, whose
   * instance may also be too new for EC2 to list yet. {@link ScaleDown} deregisters it once its
   * instance is known ended or it was seen so for the boot grace time ({@link GhostSightings}).
   */
  public record Ghost(RunnerOwner owner, GitHubRunner runner, InstanceId instance) {}

  /**
   * @param warmTarget idle runners the active windows ask for
   * @param warmMissing how many more the pool needs to reach it (0 when any owner was unlisted)
   */
  public record Plan(List<Decision> decisions, List<Ghost> ghosts, int warmTarget, int warmMissing) {
    public List<Decision> with(Verdict verdict) {
      return decisions.stream().filter(d -> d.verdict() == verdict).toList();
    }
  }

  private final ScaleDownSettings settings;

  public IdlePolicy(ScaleDownSettings settings) {
    this.settings = settings;
  }

  /** The owner an instance's runner registered with (its {@code spotrunner:owner} tag), or null. */
  public static RunnerOwner ownerOf(RunnerInstance instance) {
    String tag = instance.tag(Tags.OWNER);
    if (tag == null || tag.isBlank()) {
      return null;
    }
    try {
      return RunnerOwner.parse(tag.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** True for a runner spotrunner named: our prefix followed by an instance id. */
  public boolean ours(GitHubRunner runner) {
    String name = runner.name();
    return name != null && name.startsWith(settings.pool().runnerNamePrefix())
        && InstanceId.findIn(name.substring(settings.pool().runnerNamePrefix().length())) != null;
  }

  /**
   * Decides the cycle.
   *
   * @param poolInstances the pool's pending and running instances, listed after the runners
   * @param environmentInstances every instance of the environment (all pools), same listing
   * @param listed each owner whose runners were listed, with every page of them
   * @param unlisted owners whose listing failed this cycle
   */
  public Plan decide(Instant now, List<RunnerInstance> poolInstances,
      Set<InstanceId> environmentInstances, Map<RunnerOwner, List<GitHubRunner>> listed,
      Set<RunnerOwner> unlisted) {
    Map<InstanceId, List<Registered>> runnersByInstance = new HashMap<>();
    listed.forEach((owner, runners) -> {
      for (GitHubRunner runner : runners) {
        if (ours(runner)) {
          runnersByInstance.computeIfAbsent(instanceOf(runner), id -> new ArrayList<>())
              .add(new Registered(owner, runner));
        }
      }
    });

    List<Decision> decisions = new ArrayList<>();
    List<Decision> warmCandidates = new ArrayList<>();
    int idleAlready = 0;
    for (RunnerInstance instance : poolInstances) {
      RunnerOwner owner = ownerOf(instance);
      Duration age = instance.launchTime() == null
          ? Duration.ZERO : Duration.between(instance.launchTime(), now);
      if (owner == null) {
        decisions.add(new Decision(instance, null, null, Verdict.UNKNOWN_OWNER));
        continue;
      }
      if (!listed.containsKey(owner)) {
        decisions.add(new Decision(instance, owner, null, Verdict.UNLISTED));
        continue;
      }
      Registered registered = pick(runnersByInstance.get(instance.id()));
      GitHubRunner runner = registered == null ? null : registered.runner();
      if (registered != null) {
        // Deregistration must go to where the runner is registered.
        owner = registered.owner();
      }
      Verdict verdict;
      if (runner != null && runner.busy()) {
        verdict = Verdict.BUSY;
      } else if (age.compareTo(settings.minimumRunningTime()) < 0) {
        verdict = Verdict.YOUNG;
        idleAlready++;
      } else if (runner == null) {
        verdict = age.compareTo(settings.bootGrace()) < 0 ? Verdict.BOOTING : Verdict.ORPHAN;
        idleAlready += verdict == Verdict.BOOTING ? 1 : 0;
      } else if (!runner.online()) {
        // Registered but never came online: booting within the grace time, broken after it.
        verdict = age.compareTo(settings.bootGrace()) < 0 ? Verdict.BOOTING : Verdict.IDLE;
        idleAlready += verdict == Verdict.BOOTING ? 1 : 0;
      } else {
        verdict = Verdict.IDLE;
        warmCandidates.add(new Decision(instance, owner, runner, Verdict.IDLE));
      }
      if (verdict != Verdict.IDLE || !runner.online()) {
        decisions.add(new Decision(instance, owner, runner, verdict));
      }
    }

    int target = WarmWindow.idleAt(settings.warmWindows(), now);
    int keep = Math.max(0, Math.min(warmCandidates.size(), target - idleAlready));
    // Eviction OLDEST removes the oldest first, so the newest are kept warm, and the reverse.
    Comparator<Decision> keepFirst = Comparator.comparing(
        (Decision d) -> d.instance().launchTime(), Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(d -> d.instance().id().value());
    if (settings.eviction() == Eviction.OLDEST) {
      keepFirst = keepFirst.reversed();
    }
    List<Decision> ordered = warmCandidates.stream().sorted(keepFirst).toList();
    for (int i = 0; i < ordered.size(); i++) {
      Decision d = ordered.get(i);
      decisions.add(i < keep ? new Decision(d.instance(), d.owner(), d.runner(), Verdict.WARM) : d);
    }
    int missing = unlisted.isEmpty() ? Math.max(0, target - idleAlready - keep) : 0;

    List<Ghost> ghosts = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    for (Map.Entry<RunnerOwner, List<GitHubRunner>> entry : listed.entrySet()) {
      for (GitHubRunner runner : entry.getValue()) {
        if (ours(runner) && !runner.online() && !runner.busy()
            && !environmentInstances.contains(instanceOf(runner)) && seen.add(runner.id())) {
          ghosts.add(new Ghost(entry.getKey(), runner, instanceOf(runner)));
        }
      }
    }
    return new Plan(List.copyOf(decisions), List.copyOf(ghosts), target, missing);
  }

  private InstanceId instanceOf(GitHubRunner runner) {
    return InstanceId.findIn(runner.name().substring(settings.pool().runnerNamePrefix().length()));
  }

  private record Registered(RunnerOwner owner, GitHubRunner runner) {}

  /** A busy runner wins (it must be protected), then an online one. */
  private static Registered pick(List<Registered> runners) {
    if (runners == null || runners.isEmpty()) {
      return null;
    }
    return runners.stream().filter(r -> r.runner().busy()).findFirst()
        .or(() -> runners.stream().filter(r -> r.runner().online()).findFirst())
        .orElse(runners.get(0));
  }
}
