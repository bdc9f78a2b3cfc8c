package dev.spotrunner.common;

/** A failure worth retrying: the message goes back to its queue, the call may be repeated. */
public class TransientFailure extends RuntimeException {
  public TransientFailure(String message) {
    super(message);
  }

  public TransientFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
