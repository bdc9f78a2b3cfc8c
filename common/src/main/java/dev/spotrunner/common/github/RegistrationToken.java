package dev.spotrunner.common.github;

import java.time.Duration;
import java.time.Instant;

/** A runner registration token; {@link #toString()} never shows the token. */
public record RegistrationToken(String token, Instant expiresAt) {
  /**
   * A token is handed to a runner only while it has this long left: the runner configures with it
   * a few minutes after boot. Every cache of registration tokens uses this one margin.
   */
  public static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(15);

  /** Whether this token may still be handed to a runner at {@code now}. */
  public boolean usableAt(Instant now) {
    return now.isBefore(expiresAt.minus(RENEW_BEFORE_EXPIRY));
  }

  @Override
  public String toString() {
    return "RegistrationToken[expiresAt=" + expiresAt + "]";
  }
}
