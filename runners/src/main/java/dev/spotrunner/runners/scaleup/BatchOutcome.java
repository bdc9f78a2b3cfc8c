package dev.spotrunner.runners.scaleup;

import java.util.List;

/**
 * What one batch came to. Only {@link #retry()} messages go back to the queue as they are; every
 * other message is deleted: its job got an instance, no longer waits, went to the DLQ with its
 * reason, or was sent again as a new message to wait for room.
 *
 * @param launched jobs that got a new instance
 * @param alreadyLaunched jobs that already had one (a message received again)
 * @param notQueued jobs GitHub reported as no longer waiting
 * @param deadLettered messages sent to the DLQ with their reason (malformed, invalid names,
 *     another pool's, permanent launch failures)
 * @param checkFailed job-queued checks GitHub did not answer (launched anyway)
 * @param waiting jobs over the maximum sent back as new messages after a backoff
 */
public record BatchOutcome(
    List<String> retry,
    int launched,
    int alreadyLaunched,
    int notQueued,
    int deadLettered,
    int checkFailed,
    int waiting) {
  public BatchOutcome {
    retry = List.copyOf(retry);
  }
}
