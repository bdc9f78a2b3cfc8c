package dev.spotrunner.syncer;

/** The release or one of its files could not be read; the message says why, without secrets. */
public final class ReleaseUnavailable extends RuntimeException {
  public ReleaseUnavailable(String message) {
    super(message);
  }

  public ReleaseUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
