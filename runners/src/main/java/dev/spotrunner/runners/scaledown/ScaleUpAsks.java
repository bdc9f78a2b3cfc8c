package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.common.log.Log.entry;
import static dev.spotrunner.runners.scaledown.ScaleDown.failure;

import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import dev.spotrunner.runners.scaledown.CycleReport.Tally;
import dev.spotrunner.runners.scaledown.IdlePolicy.Plan;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a cycle's listings show scale-up should launch, asked through {@link LaunchAsks}: a rescue
 * for each job stranded by spot, and the warm window's missing idle runners. Scale-up decides
 * against the pool's maximum and asks GitHub; this class only reads EC2's listings and never calls
 * GitHub.
 */
final class ScaleUpAsks {
  private static final Log log = Log.of(ScaleUpAsks.class);

  private final ScaleDownSettings settings;
  private final RunnerFleet fleet;
  private final LaunchAsks asks;
  private final Clock clock;

  ScaleUpAsks(ScaleDownSettings settings, RunnerFleet fleet, LaunchAsks asks, Clock clock) {
    this.settings = settings;
    this.fleet = fleet;
    this.asks = asks;
    this.clock = clock;
  }

  /**
   * Jobs stranded by spot: scale-up deleted a job's message once its instance launched, so when EC2
   * takes that instance away before its runner took the job, nothing else would bring a runner. A
   * job bound to an interrupted instance and to no live one gets one rescue ask per cycle; an
   * interrupted instance stays listed for about an hour, so a rescue scale-up could not serve (pool
   * full, GitHub failing) is asked again next cycle.
   */
  void rescues(List<RunnerInstance> environment, Tally tally) {
    String pool = settings.pool().poolName();
    List<RunnerInstance> interrupted;
    try {
      interrupted = fleet.interrupted(Map.of(Tags.ENVIRONMENT, settings.pool().environment()))
          .stream().filter(i -> pool.equals(i.tag(Tags.POOL))).toList();
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("interrupted instances not listed", entry("pool", pool), failure(e));
      return;
    }
    // A live instance bound to the job means it was rescued already (or scale-up relaunched it).
    Set<JobId> covered = new HashSet<>();
    environment.stream().map(i -> JobId.parse(i.tag(Tags.JOB_ID))).filter(Objects::nonNull)
        .forEach(covered::add);
    List<RunnerInstance> oldestFirst = interrupted.stream()
        .sorted(Comparator.comparing(RunnerInstance::launchTime,
            Comparator.nullsLast(Comparator.naturalOrder())))
        .toList();
    for (RunnerInstance gone : oldestFirst) {
      Stranded stranded = Stranded.of(gone);
      if (stranded == null || !covered.add(stranded.jobId())) {
        continue;
      }
      try {
        asks.rescue(stranded.jobId(), stranded.repository(), gone.tag(Tags.OWNER_TYPE));
        tally.add(Count.RESCUE_ASKED);
        log.info("rescue asked of scale-up", entry("job_id", stranded.jobId().value()),
            entry("instance_id", gone.id()), entry("repository", stranded.repository()));
      } catch (RuntimeException e) {
        tally.add(Count.ERRORS);
        log.warn("rescue not asked; next cycle asks again",
            entry("job_id", stranded.jobId().value()), entry("instance_id", gone.id()),
            failure(e));
      }
    }
  }

  /**
   * The warm window's missing idle runners, for the owner the window names or the pool's only
   * owner; scale-up launches them in the room the pool's maximum leaves.
   */
  void warm(Plan plan, Set<RunnerOwner> owners, Tally tally) {
    int missing = plan.warmMissing();
    if (missing <= 0) {
      return;
    }
    RunnerOwner owner = WarmWindow.ownerAt(settings.warmWindows(), clock.instant());
    if (owner == null && owners.size() == 1) {
      owner = owners.iterator().next();
    }
    if (owner == null) {
      log.warn("warm runners not asked for: the window names no owner and the pool has "
          + owners.size() + " owners", entry("missing", missing));
      return;
    }
    try {
      asks.warm(owner, missing);
      tally.add(Count.WARM_ASKED, missing);
      log.info("warm runners asked of scale-up", entry("owner", owner),
          entry("requested", missing));
    } catch (RuntimeException e) {
      tally.add(Count.ERRORS);
      log.warn("warm runners not asked for", entry("owner", owner), failure(e));
    }
  }

  /** The job an interrupted instance was launched for, or null when its tags do not name one. */
  private record Stranded(JobId jobId, RunnerOwner repository) {
    static Stranded of(RunnerInstance instance) {
      JobId job = JobId.parse(instance.tag(Tags.JOB_ID));
      String repository = instance.tag(Tags.REPOSITORY);
      if (job == null || repository == null || IdlePolicy.ownerOf(instance) == null) {
        return null;
      }
      try {
        RunnerOwner repo = RunnerOwner.parse(repository.trim());
        return repo.isRepository() ? new Stranded(job, repo) : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
