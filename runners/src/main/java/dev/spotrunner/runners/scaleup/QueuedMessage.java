package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.job.JobMessage;
import java.util.Objects;

/**
 * One SQS message of the pool's queue as scale-up receives it: the parsed job, a warm-runner
 * request from scale-down, or why the body could not be parsed; how many times SQS has handed it
 * out ({@code ApproximateReceiveCount}, 1 on the first receive); which recheck of the job it is (0:
 * the webhook's message; n: scale-up's n-th look again); how many times the job was refused at the
 * pool maximum before ({@code waited}); and the raw body and receipt handle, to dead-letter or hold
 * it. (A GitHub webhook delivery is what the webhook turned into the job; its id is
 * {@link JobMessage#deliveryId()}.)
 */
public record QueuedMessage(String messageId, int attempt, JobMessage job, String malformed,
    int recheck, int waited, WarmRequest warm, String body, String receiptHandle) {
  public QueuedMessage {
    Objects.requireNonNull(messageId, "messageId");
    attempt = Math.max(1, attempt);
    recheck = Math.max(0, recheck);
    waited = Math.max(0, waited);
    int kinds = (job == null ? 0 : 1) + (malformed == null ? 0 : 1) + (warm == null ? 0 : 1);
    if (kinds != 1) {
      throw new IllegalArgumentException(
          "a queued message has either a job, a warm request or a reason it is malformed");
    }
    if (body == null && job != null) {
      body = job.toJson();
    }
  }

  public QueuedMessage(String messageId, int attempt, JobMessage job, String malformed,
      int recheck) {
    this(messageId, attempt, job, malformed, recheck, 0, null, null, null);
  }

  public QueuedMessage(String messageId, int attempt, JobMessage job, String malformed) {
    this(messageId, attempt, job, malformed, 0);
  }

  /** Parses a body; a malformed one becomes a message carrying the reason. */
  public static QueuedMessage parse(String messageId, String body, String receiveCount) {
    return parse(messageId, body, receiveCount, null);
  }

  /** As {@link #parse(String, String, String)}, with the recheck attribute's value (or null). */
  public static QueuedMessage parse(String messageId, String body, String receiveCount,
      String recheck) {
    return parse(messageId, body, receiveCount, recheck, null, null, null);
  }

  /**
   * Parses a message with its attributes' values (each may be null): the recheck number, the wait
   * count and the kind ({@value WarmRequest#KIND} for a warm request, else a job).
   */
  public static QueuedMessage parse(String messageId, String body, String receiveCount,
      String recheck, String wait, String kind, String receiptHandle) {
    int attempt = number(receiveCount, 1);
    int check = number(recheck, 0);
    int waited = number(wait, 0);
    try {
      if (WarmRequest.KIND.equals(kind)) {
        return new QueuedMessage(messageId, attempt, null, null, 0, 0, WarmRequest.fromJson(body),
            body, receiptHandle);
      }
      return new QueuedMessage(messageId, attempt, JobMessage.fromJson(body), null, check, waited,
          null, body, receiptHandle);
    } catch (PermanentFailure | IllegalArgumentException | NullPointerException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new QueuedMessage(messageId, attempt, null, reason, check, waited, null, body,
          receiptHandle);
    }
  }

  public static QueuedMessage of(String messageId, int attempt, JobMessage job) {
    return new QueuedMessage(messageId, attempt, job, null, 0);
  }

  /** The job's message after it waited {@code wait} times for room in the pool. */
  public static QueuedMessage waited(String messageId, JobMessage job, int wait) {
    return new QueuedMessage(messageId, 1, job, null, 0, wait, null, null, null);
  }

  /** The {@code recheck}-th look at the job scale-up asked for. */
  public static QueuedMessage recheck(String messageId, int attempt, JobMessage job, int recheck) {
    return new QueuedMessage(messageId, attempt, job, null, recheck);
  }

  /** A warm-runner request from scale-down. */
  public static QueuedMessage warm(String messageId, WarmRequest request) {
    return new QueuedMessage(messageId, 1, null, null, 0, 0, request, request.toJson(), null);
  }

  /**
   * A rescue request from scale-down (the job's message again, for a job whose instance spot took
   * away): its delivery id; null for any other message.
   */
  String rescue() {
    return job != null && job.deliveryId() != null
        && job.deliveryId().startsWith(ScaleUp.RESCUE_DELIVERY_ID) ? job.deliveryId() : null;
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
