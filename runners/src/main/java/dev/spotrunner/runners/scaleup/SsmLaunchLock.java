package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.log.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * {@link LaunchLock} as an SSM parameter: PutParameter without overwrite creates it or fails with
 * ParameterAlreadyExists, atomically, so one scale-up wins. The value is {@code holder expiry};
 * released by deleting it when it still names this holder.
 *
 * <p>A lock whose lease ran out (its holder died: the lease is the function's timeout) is taken
 * over without ever being deleted, because SSM has no compare-and-set: delete-then-create lets two
 * scale-ups that both read the expired lock each delete the other's new lock. Instead the
 * contenders create {@code <lock>/takeovers/<expired holder>} without overwrite — atomic, one wins
 * — and only the winner overwrites the lock. A winner that died before overwriting left a marker
 * that expires too: the next contender takes over from the marker's holder the same way. Markers
 * older than twice the lease (no contender that read their lock can still act) are deleted by the
 * next winner. The record of recent launches lives in {@code <lock>/launches}.
 */
public final class SsmLaunchLock implements LaunchLock {
  private static final Log log = Log.of(SsmLaunchLock.class);
  /** A chain of dead takeover winners longer than this is left to the next invocation. */
  static final int MAX_TAKEOVER_HOPS = 5;

  private final SsmClient ssm;
  private final String name;
  private final Duration lease;
  private final Clock clock;

  public SsmLaunchLock(SsmClient ssm, String name, Duration lease, Clock clock) {
    this.ssm = ssm;
    this.name = name;
    this.lease = lease;
    this.clock = clock;
  }

  /** Where the record of recent launches is kept. */
  String launchesName() {
    return name + "/launches";
  }

  String takeoversPath() {
    return name + "/takeovers";
  }

  @Override
  public Optional<Held> tryAcquire() {
    // a holder id made at run time, never before a snapshot
    String holder = UUID.randomUUID().toString();
    if (create(name, holder) || takeOver(holder)) {
      return Optional.of(new Lease(holder));
    }
    return Optional.empty();
  }

  /** The held lock, with the record of recent launches. */
  private final class Lease implements Held {
    private final String holder;

    Lease(String holder) {
      this.holder = holder;
    }

    @Override
    public void close() {
      release(holder);
    }

    @Override
    public Map<InstanceId, Instant> launches() {
      return read(launchesName()).map(UnlistedLaunches::parse).orElseGet(Map::of);
    }

    @Override
    public void recordLaunches(Map<InstanceId, Instant> launches) {
      if (launches.isEmpty()) {
        delete(launchesName());
      } else {
        put(launchesName(), UnlistedLaunches.format(launches), true);
      }
    }
  }

  private String value(String holder) {
    return holder + " " + clock.instant().plus(lease).getEpochSecond();
  }

  private boolean create(String parameter, String holder) {
    try {
      put(parameter, value(holder), false);
      return true;
    } catch (ParameterAlreadyExistsException e) {
      return false;
    }
  }

  private void put(String parameter, String value, boolean overwrite) {
    try {
      ssm.putParameter(r -> r.name(parameter).value(value).type(ParameterType.STRING)
          .overwrite(overwrite));
    } catch (ParameterAlreadyExistsException e) {
      throw e;
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "PutParameter", e);
    }
  }

  /** True when this holder took over an expired lock (or a released one, created anew). */
  private boolean takeOver(String holder) {
    Optional<String> current = read(name);
    if (current.isEmpty()) {
      return create(name, holder); // released in the meantime
    }
    String expired = current.get();
    for (int hop = 0; hop < MAX_TAKEOVER_HOPS; hop++) {
      if (!expiry(expired).isBefore(clock.instant())) {
        return false;
      }
      String marker = takeoversPath() + "/" + markerName(holderOf(expired));
      // A marker only counts while the lock still holds the expired value read above.
      if (create(marker, holder) && read(name).equals(current)) {
        log.warn("launch lock expired, taken over", entry("parameter", name),
            entry("expired_at", expiry(expired)));
        put(name, value(holder), true);
        deleteOldMarkers();
        return true;
      }
      // Another contender won this takeover; if it died before finishing, its marker expires too.
      Optional<String> winner = read(marker);
      if (winner.isEmpty() || !read(name).equals(current)) {
        return false;
      }
      expired = winner.get();
    }
    return false;
  }

  private void deleteOldMarkers() {
    Instant old = clock.instant().minus(lease.multipliedBy(2));
    try {
      for (Parameter marker : ssm.getParametersByPathPaginator(r -> r.path(takeoversPath()))
          .stream().flatMap(page -> page.parameters().stream()).toList()) {
        if (marker.lastModifiedDate() != null && marker.lastModifiedDate().isBefore(old)) {
          delete(marker.name());
        }
      }
    } catch (RuntimeException e) {
      log.warn("old takeover markers not deleted", entry("parameter", name),
          entry("failure", Log.error(e).value()));
    }
  }

  private void release(String holder) {
    try {
      Optional<String> value = read(name);
      if (value.isPresent() && holderOf(value.get()).equals(holder)) {
        delete(name);
      }
    } catch (RuntimeException e) {
      log.warn("launch lock not released, it expires with its lease", entry("parameter", name),
          entry("failure", Log.error(e).value()));
    }
  }

  private Optional<String> read(String parameter) {
    try {
      return Optional.of(ssm.getParameter(r -> r.name(parameter)).parameter().value());
    } catch (ParameterNotFoundException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "GetParameter", e);
    }
  }

  private void delete(String parameter) {
    try {
      ssm.deleteParameter(r -> r.name(parameter));
    } catch (ParameterNotFoundException e) {
      // gone already
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "DeleteParameter", e);
    }
  }

  private static String holderOf(String value) {
    int space = value.indexOf(' ');
    return space < 0 ? value : value.substring(0, space);
  }

  /** A holder id as a name segment SSM accepts (ours are UUIDs; anything else is made safe). */
  private static String markerName(String holder) {
    return "h" + holder.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /** The lock's expiry; a malformed value counts as expired. */
  private static Instant expiry(String value) {
    String[] parts = value.split(" ");
    try {
      return Instant.ofEpochSecond(parts.length == 2 ? Long.parseLong(parts[1]) : 0);
    } catch (NumberFormatException e) {
      return Instant.EPOCH;
    }
  }
}
