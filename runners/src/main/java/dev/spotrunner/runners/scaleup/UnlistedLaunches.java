package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.EventualConsistency;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.log.Log;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pool's launches that EC2 does not list yet. DescribeInstances by filter can leave out an
 * instance for seconds after its CreateFleet (EC2's eventual consistency), so a count made right
 * after another scale-up's launch would be short and launch past the maximum, lock or not. Each
 * holder of the launch lock records its launches; the next one counts the listing plus the recorded
 * launches it does not show, younger than {@link EventualConsistency#REMEMBERED} and not described
 * as ended. A recorded launch is dropped from the record once a listing shows it.
 */
final class UnlistedLaunches {
  private static final Log log = Log.of(UnlistedLaunches.class);
  /** Far more than a few seconds of launches; keeps the record within SSM's 4 KB Standard tier. */
  static final int MAX_RECORDED = 100;

  private final Map<InstanceId, Instant> before;
  private final Map<InstanceId, Instant> unlisted;
  private final Clock clock;

  private UnlistedLaunches(Map<InstanceId, Instant> before, Map<InstanceId, Instant> unlisted,
      Clock clock) {
    this.before = before;
    this.unlisted = unlisted;
    this.clock = clock;
  }

  /** Reads the record of {@code lease}; throws when it cannot be read. */
  static UnlistedLaunches read(LaunchLock.Held lease, Collection<RunnerInstance> listed,
      RunnerFleet fleet, Clock clock) {
    Map<InstanceId, Instant> before = lease.launches();
    Set<InstanceId> seen = listed.stream().map(RunnerInstance::id).collect(Collectors.toSet());
    Instant forgotten = clock.instant().minus(EventualConsistency.REMEMBERED);
    Map<InstanceId, Instant> unlisted = new LinkedHashMap<>();
    before.forEach((id, at) -> {
      if (!seen.contains(id) && at.isAfter(forgotten)) {
        unlisted.put(id, at);
      }
    });
    if (!unlisted.isEmpty()) {
      try {
        // An instance that ended (a failed launch step terminates it) no longer takes room.
        unlisted.keySet().removeAll(fleet.ended(unlisted.keySet()));
      } catch (RuntimeException e) {
        log.warn("recent launches not described; counted as alive", entry("count", unlisted.size()),
            entry("failure", Log.error(e).value()));
      }
    }
    if (!unlisted.isEmpty()) {
      log.info("recent launches not listed yet, counted", entry("count", unlisted.size()),
          entry("instance_ids", unlisted.keySet()));
    }
    return new UnlistedLaunches(before, unlisted, clock);
  }

  /** How many instances to add to the listing's count. */
  int count() {
    return unlisted.size();
  }

  void launched(Collection<InstanceId> ids) {
    Instant now = clock.instant();
    ids.forEach(id -> unlisted.put(id, now));
  }

  /** Writes the record when it changed; a failure is logged (the next count may be short). */
  void save(LaunchLock.Held lease) {
    Map<InstanceId, Instant> kept = unlisted.entrySet().stream()
        .sorted(Map.Entry.<InstanceId, Instant>comparingByValue().reversed())
        .limit(MAX_RECORDED)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
            LinkedHashMap::new));
    if (kept.equals(before)) {
      return;
    }
    try {
      lease.recordLaunches(kept);
    } catch (RuntimeException e) {
      log.warn("recent launches not recorded; the next count may miss them",
          entry("count", kept.size()), entry("failure", Log.error(e).value()));
    }
  }

  /** {@code id=epochSeconds,...}, as the SSM lock keeps it. */
  static String format(Map<InstanceId, Instant> launches) {
    return launches.entrySet().stream()
        .map(e -> e.getKey().value() + "=" + e.getValue().getEpochSecond())
        .collect(Collectors.joining(","));
  }

  static Map<InstanceId, Instant> parse(String text) {
    Map<InstanceId, Instant> launches = new LinkedHashMap<>();
    for (String entry : text.split(",")) {
      int eq = entry.indexOf('=');
      try {
        launches.put(new InstanceId(entry.substring(0, eq).trim()),
            Instant.ofEpochSecond(Long.parseLong(entry.substring(eq + 1).trim())));
      } catch (RuntimeException e) {
        // a malformed entry is dropped: at worst one count is short
      }
    }
    return launches;
  }
}
