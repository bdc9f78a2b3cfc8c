package dev.spotrunner.common;

/** A failure that retrying cannot fix: the message is dropped, and the reason is logged. */
public class PermanentFailure extends RuntimeException {
  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
