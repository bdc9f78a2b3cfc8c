package dev.spotrunner.runners.scaleup;

import java.util.List;

/**
 * What one batch came to. Only {@link #retry()} messages go back to the queue; every other message
 * is deleted: its job got an instance, no longer waits, or the message was malformed.
 *
 * @param launched jobs that got a new instance
 * @param alreadyLaunched jobs that already had one (a redelivery)
 * @param notQueued jobs GitHub reported as no longer waiting
 * @param dropped malformed messages and jobs that failed permanently
 * @param checkFailed job-queued checks GitHub did not answer (launched anyway)
 */
public record BatchOutcome(
    List<String> retry,
    int launched,
    int alreadyLaunched,
    int notQueued,
    int dropped,
    int checkFailed) {
  public BatchOutcome {
    retry = List.copyOf(retry);
  }
}
