package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.job.JobMessage;
import java.util.Objects;

/**
 * One SQS message as scale-up sees it: the parsed job, or why it could not be parsed, how many
 * times SQS has delivered it ({@code ApproximateReceiveCount}, 1 on first delivery), and which
 * recheck of the job it is (0: the webhook's message; n: scale-up's n-th look again).
 */
public record Delivery(String messageId, int attempt, JobMessage job, String malformed,
    int recheck) {
  public Delivery {
    Objects.requireNonNull(messageId, "messageId");
    attempt = Math.max(1, attempt);
    recheck = Math.max(0, recheck);
    if ((job == null) == (malformed == null)) {
      throw new IllegalArgumentException("a delivery has either a job or a reason it is malformed");
    }
  }

  public Delivery(String messageId, int attempt, JobMessage job, String malformed) {
    this(messageId, attempt, job, malformed, 0);
  }

  /** Parses a body; a malformed one becomes a delivery carrying the reason. */
  public static Delivery parse(String messageId, String body, String receiveCount) {
    return parse(messageId, body, receiveCount, null);
  }

  /** As {@link #parse(String, String, String)}, with the recheck attribute's value (or null). */
  public static Delivery parse(String messageId, String body, String receiveCount,
      String recheck) {
    int attempt = number(receiveCount, 1);
    int check = number(recheck, 0);
    try {
      return new Delivery(messageId, attempt, JobMessage.fromJson(body), null, check);
    } catch (PermanentFailure | IllegalArgumentException | NullPointerException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Delivery(messageId, attempt, null, reason, check);
    }
  }

  public static Delivery of(String messageId, int attempt, JobMessage job) {
    return new Delivery(messageId, attempt, job, null, 0);
  }

  /** The {@code recheck}-th look at the job scale-up asked for. */
  public static Delivery recheck(String messageId, int attempt, JobMessage job, int recheck) {
    return new Delivery(messageId, attempt, job, null, recheck);
  }

  private static int number(String text, int fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
