package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * A rescue asked of scale-up through the pool's queue: the job's {@link JobMessage} again with a
 * delivery id starting {@value ScaleUp#RESCUE_DELIVERY_ID} (no GitHub delivery: the minute it was
 * asked, which keys the launch's own ClientToken, so EC2 does not hand back the job's first
 * instance). Scale-up asks GitHub whether the job (or the job its runner displaced) still waits and
 * launches, at the pool's maximum after the backoff like any job. Asked by scale-down for a job
 * whose instance spot took, and by {@link JobStarts} for a job whose runner another job took.
 */
public final class Rescues {
  /** The kind attribute's value on a rescue (for logs; scale-up reads the delivery id). */
  public static final String KIND = "rescue";

  private final PoolSettings pool;
  private final JobQueue queue;
  private final String queueUrl;
  private final Clock clock;

  public Rescues(PoolSettings pool, JobQueue queue, String queueUrl, Clock clock) {
    this.pool = pool;
    this.queue = queue;
    this.queueUrl = queueUrl;
    this.clock = clock;
  }

  /** One runner for {@code jobId} of {@code repository}, if GitHub still says it waits. */
  public void ask(JobId jobId, RunnerOwner repository, String ownerType) {
    String minute = Long.toString(clock.instant().truncatedTo(ChronoUnit.MINUTES).getEpochSecond());
    JobMessage job = new JobMessage(jobId, 0, repository.toString(), repository.login(), ownerType,
        0, pool.labels(), pool.poolName(), ScaleUp.RESCUE_DELIVERY_ID + minute, clock.instant());
    queue.send(queueUrl, job.toJson(), 0,
        Map.of(WarmRequest.KIND_ATTRIBUTE, KIND, "jobId", jobId.toString()));
  }
}
