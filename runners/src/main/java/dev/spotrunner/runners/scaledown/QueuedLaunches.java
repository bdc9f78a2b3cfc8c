package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaleup.Rescues;
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
  public static final String RESCUE = Rescues.KIND;

  private final JobQueue queue;
  private final String queueUrl;
  private final Clock clock;
  private final Rescues rescues;

  public QueuedLaunches(PoolSettings pool, JobQueue queue, String queueUrl, Clock clock) {
    this.queue = queue;
    this.queueUrl = queueUrl;
    this.clock = clock;
    this.rescues = new Rescues(pool, queue, queueUrl, clock);
  }

  @Override
  public void warm(RunnerOwner owner, int count) {
    queue.send(queueUrl, new WarmRequest(owner.toString(), null, count, tick()).toJson(), 0,
        Map.of(WarmRequest.KIND_ATTRIBUTE, WarmRequest.KIND));
  }

  @Override
  public void rescue(JobId jobId, RunnerOwner repository, String ownerType) {
    rescues.ask(jobId, repository, ownerType);
  }

  private String tick() {
    return Long.toString(clock.instant().truncatedTo(ChronoUnit.MINUTES).getEpochSecond());
  }
}
