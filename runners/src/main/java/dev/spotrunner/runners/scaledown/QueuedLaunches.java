package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaleup.ScaleUp;
import dev.spotrunner.runners.scaleup.WarmRequest;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Warm runners and rescues asked of scale-up through the pool's queue: only scale-up launches,
 * under its launch lock, so the pool's maximum holds however the two functions overlap. A warm
 * request is a {@link WarmRequest} message; a rescue is the stranded job's {@link JobMessage} again
 * with a delivery id starting {@value ScaleUp#RESCUE_DELIVERY_ID} (no GitHub delivery: scale-down's
 * schedule minute, which keys the launch's own ClientToken). The launch happens seconds later; the
 * next cycle sees the instances, or asks again.
 */
public final class QueuedLaunches implements LaunchAsks {
  /** The kind attribute's value on a rescue (for logs; scale-up reads the delivery id). */
  public static final String RESCUE = "rescue";

  private final PoolSettings pool;
  private final JobQueue queue;
  private final String queueUrl;
  private final Clock clock;

  public QueuedLaunches(PoolSettings pool, JobQueue queue, String queueUrl, Clock clock) {
    this.pool = pool;
    this.queue = queue;
    this.queueUrl = queueUrl;
    this.clock = clock;
  }

  @Override
  public void warm(RunnerOwner owner, int count) {
    queue.send(queueUrl, new WarmRequest(owner.toString(), null, count, tick()).toJson(), 0,
        Map.of(WarmRequest.KIND_ATTRIBUTE, WarmRequest.KIND));
  }

  @Override
  public void rescue(JobId jobId, RunnerOwner repository, String ownerType) {
    JobMessage job = new JobMessage(jobId, 0, repository.toString(), repository.login(), ownerType,
        0, pool.labels(), pool.poolName(), ScaleUp.RESCUE_DELIVERY_ID + tick(), clock.instant());
    queue.send(queueUrl, job.toJson(), 0,
        Map.of(WarmRequest.KIND_ATTRIBUTE, RESCUE, "jobId", jobId.toString()));
  }

  private String tick() {
    return Long.toString(clock.instant().truncatedTo(ChronoUnit.MINUTES).getEpochSecond());
  }
}
