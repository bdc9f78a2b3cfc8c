package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.queue.JobQueue;
import java.time.Duration;
import java.util.Map;

/**
 * Where scale-up asks to look at a job again later: its own queue, the job's message with the
 * attribute {@value #ATTRIBUTE} = the recheck's number and a delay. Throws when the message could
 * not be sent.
 */
@FunctionalInterface
public interface JobRechecks {
  String ATTRIBUTE = "spotrunnerRecheck";

  void schedule(JobMessage job, int recheck, Duration delay);

  /** Rechecks through SQS. */
  static JobRechecks on(JobQueue queue, String queueUrl) {
    return (job, recheck, delay) -> queue.send(queueUrl, job.toJson(), (int) delay.toSeconds(),
        Map.of(ATTRIBUTE, Integer.toString(recheck), "jobId", job.jobId().toString()));
  }

  /** For scale-ups whose settings switch rechecks off: scheduling one is a wiring error. */
  JobRechecks NONE = (job, recheck, delay) -> {
    throw new IllegalStateException("rechecks are off (JOB_RECHECK_SECONDS=0)");
  };
}
