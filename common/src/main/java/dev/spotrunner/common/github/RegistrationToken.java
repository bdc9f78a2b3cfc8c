package dev.spotrunner.common.github;

import java.time.Instant;

/** A runner registration token; {@link #toString()} never shows the token. */
public record RegistrationToken(String token, Instant expiresAt) {
  @Override
  public String toString() {
    return "RegistrationToken[expiresAt=" + expiresAt + "]";
  }
}
