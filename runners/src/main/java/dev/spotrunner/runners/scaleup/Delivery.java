package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.job.JobMessage;
import java.util.Objects;

/**
 * One SQS message as scale-up sees it: the parsed job, or why it could not be parsed, and how many
 * times SQS has delivered it ({@code ApproximateReceiveCount}, 1 on first delivery).
 */
public record Delivery(String messageId, int attempt, JobMessage job, String malformed) {
  public Delivery {
    Objects.requireNonNull(messageId, "messageId");
    attempt = Math.max(1, attempt);
    if ((job == null) == (malformed == null)) {
      throw new IllegalArgumentException("a delivery has either a job or a reason it is malformed");
    }
  }

  /** Parses a body; a malformed one becomes a delivery carrying the reason. */
  public static Delivery parse(String messageId, String body, String receiveCount) {
    int attempt = parseAttempt(receiveCount);
    try {
      return new Delivery(messageId, attempt, JobMessage.fromJson(body), null);
    } catch (PermanentFailure | IllegalArgumentException | NullPointerException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Delivery(messageId, attempt, null, reason);
    }
  }

  public static Delivery of(String messageId, int attempt, JobMessage job) {
    return new Delivery(messageId, attempt, job, null);
  }

  private static int parseAttempt(String receiveCount) {
    if (receiveCount == null) {
      return 1;
    }
    try {
      return Integer.parseInt(receiveCount.trim());
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
