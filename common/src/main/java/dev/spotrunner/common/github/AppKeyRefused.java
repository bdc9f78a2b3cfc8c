package dev.spotrunner.common.github;

import dev.spotrunner.common.PermanentFailure;

/**
 * GitHub refused the App's JWT (401) also after the key was read again from its parameter: the
 * App's key was revoked or its id is wrong. Another App may still be accepted.
 */
public final class AppKeyRefused extends PermanentFailure {
  public AppKeyRefused(String message) {
    super(message);
  }
}
