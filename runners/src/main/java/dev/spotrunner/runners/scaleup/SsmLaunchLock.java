package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.log.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterAlreadyExistsException;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * {@link LaunchLock} as an SSM parameter: PutParameter without overwrite creates it or fails with
 * ParameterAlreadyExists, atomically, so one scale-up wins. The value is {@code holder expiry}; a
 * lock whose lease ran out (its holder died: the lease is the function's timeout) is deleted and
 * taken again. Released by deleting it when it still names this holder.
 */
public final class SsmLaunchLock implements LaunchLock {
  private static final Log log = Log.of(SsmLaunchLock.class);

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

  @Override
  public Optional<Held> tryAcquire() {
    // a holder id made at run time, never before a snapshot
    String holder = UUID.randomUUID().toString();
    if (create(holder) || (breakExpired() && create(holder))) {
      return Optional.of(() -> release(holder));
    }
    return Optional.empty();
  }

  private boolean create(String holder) {
    String value = holder + " " + clock.instant().plus(lease).getEpochSecond();
    try {
      ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.STRING).overwrite(false));
      return true;
    } catch (ParameterAlreadyExistsException e) {
      return false;
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "PutParameter", e);
    }
  }

  /** True when the lock had expired (or vanished) and is gone now. */
  private boolean breakExpired() {
    Optional<String> value = read();
    if (value.isEmpty()) {
      return true;
    }
    String[] parts = value.get().split(" ");
    long expiry = parts.length == 2 ? parse(parts[1]) : 0;
    if (Instant.ofEpochSecond(expiry).isAfter(clock.instant())) {
      return false;
    }
    log.warn("launch lock expired, breaking it", entry("parameter", name),
        entry("expired_at", Instant.ofEpochSecond(expiry)));
    delete();
    return true;
  }

  private void release(String holder) {
    try {
      Optional<String> value = read();
      if (value.isPresent() && value.get().startsWith(holder + " ")) {
        delete();
      }
    } catch (RuntimeException e) {
      log.warn("launch lock not released, it expires with its lease", entry("parameter", name),
          entry("failure", Log.error(e).value()));
    }
  }

  private Optional<String> read() {
    try {
      return Optional.of(ssm.getParameter(r -> r.name(name)).parameter().value());
    } catch (ParameterNotFoundException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "GetParameter", e);
    }
  }

  private void delete() {
    try {
      ssm.deleteParameter(r -> r.name(name));
    } catch (ParameterNotFoundException e) {
      // gone already
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "DeleteParameter", e);
    }
  }

  private static long parse(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
