package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.queue.JobQueue;
import java.time.Duration;
import java.util.Map;

/**
 * Where scale-up puts a message it does not launch for now. Every method throws when SQS did not
 * take the request; the caller then leaves the message in the batch's failures, so it is never
 * deleted unseen.
 */
public interface JobReturns {
  /** The number of times the job was refused at the maximum, carried by its replacement. */
  String WAIT_ATTRIBUTE = "spotrunnerWait";
  /** Why a message was dead-lettered. */
  String REASON_ATTRIBUTE = "spotrunnerReason";

  /**
   * A new message for the job, back after {@code delay}, carrying {@code wait}. A new message
   * starts at receive count 1, so a job waiting for room never reaches the DLQ; the old message is
   * deleted only after this one was sent.
   */
  void later(JobMessage job, int wait, Duration delay);

  /** Makes the received message visible again after {@code delay} (when a replacement failed). */
  void hold(String receiptHandle, Duration delay);

  /** Sends the message's body to the DLQ with the reason as an attribute. */
  void deadLetter(String body, String reason);

  /** Through SQS: the pool's queue and its DLQ (either may be null: that return then throws). */
  static JobReturns on(JobQueue queue, String queueUrl, String deadLetterUrl) {
    return new JobReturns() {
      @Override
      public void later(JobMessage job, int wait, Duration delay) {
        queue.send(require(queueUrl, "QUEUE_URL"), job.toJson(), (int) delay.toSeconds(),
            Map.of(WAIT_ATTRIBUTE, Integer.toString(wait), "jobId", job.jobId().toString()));
      }

      @Override
      public void hold(String receiptHandle, Duration delay) {
        if (receiptHandle == null) {
          throw new IllegalStateException("no receipt handle");
        }
        queue.changeVisibility(require(queueUrl, "QUEUE_URL"), receiptHandle,
            (int) delay.toSeconds());
      }

      @Override
      public void deadLetter(String body, String reason) {
        queue.send(require(deadLetterUrl, "DLQ_URL"), body == null || body.isEmpty() ? "{}" : body,
            0, Map.of(REASON_ATTRIBUTE, reason.length() > 256 ? reason.substring(0, 256) : reason));
      }
    };
  }

  private static String require(String url, String variable) {
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(variable + " is not set");
    }
    return url;
  }

  /** No queue to return to: every message scale-up does not launch stays in the batch failures. */
  JobReturns NONE = on(new JobQueue() {
    @Override
    public String send(String queueUrl, String body, int delaySeconds,
        Map<String, String> attributes) {
      throw new IllegalStateException("no queue");
    }
  }, null, null);
}
