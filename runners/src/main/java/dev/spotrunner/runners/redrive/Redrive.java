package dev.spotrunner.runners.redrive;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.common.queue.JobQueue.Received;
import dev.spotrunner.runners.scaleup.JobExits;
import dev.spotrunner.runners.scaleup.JobReturns;
import dev.spotrunner.runners.scaleup.WarmRequest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads the pool's DLQ and re-checks each dead-lettered job with GitHub: a job still queued goes
 * back to the pool's queue (sent first, then deleted from the DLQ), a job GitHub says is done is
 * deleted and counted as {@code JobsDropped{reason=finished}}. Messages dead-lettered for what they
 * are (malformed, invalid names, another pool's) and jobs GitHub did not answer for stay in the DLQ:
 * the DLQ-depth alarm shows them to a person. Dead-lettered warm requests and job starts are
 * deleted and counted as discarded, never as dropped jobs: a warm request is asked again next cycle
 * and a job start is a hint.
 */
public final class Redrive {
  private static final Log log = Log.of(Redrive.class);
  /** A message looked at stays hidden this long, so one cycle sees it once. */
  static final int VISIBILITY_SECONDS = 300;
  public static final String FINISHED = "finished";

  /**
   * What one redrive did: jobs back on the queue, jobs dropped as finished, dead letters kept for a
   * person, warm requests and job starts discarded.
   */
  public record Report(int requeued, int finished, int kept, int discarded) {}

  private final String pool;
  private final JobQueue queue;
  private final String queueUrl;
  private final String deadLetterUrl;
  private final int maxMessages;
  private final GitHubRunners github;
  private final Consumer<String> metrics;
  private final Clock clock;

  public Redrive(String pool, JobQueue queue, String queueUrl, String deadLetterUrl,
      int maxMessages, GitHubRunners github, Consumer<String> metrics, Clock clock) {
    this.pool = pool;
    this.queue = queue;
    this.queueUrl = queueUrl;
    this.deadLetterUrl = deadLetterUrl;
    this.maxMessages = maxMessages;
    this.github = github;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Never throws: a failure ends this cycle's redrive, the next cycle goes on. */
  public Report run() {
    JobExits exits = new JobExits();
    int requeued = 0;
    int finished = 0;
    int kept = 0;
    int discarded = 0;
    try {
      int seen = 0;
      while (seen < maxMessages) {
        List<Received> batch = queue.receive(deadLetterUrl, Math.min(10, maxMessages - seen),
            VISIBILITY_SECONDS);
        if (batch.isEmpty()) {
          break;
        }
        for (Received message : batch) {
          seen++;
          switch (redrive(message)) {
            case REQUEUED -> {
              requeued++;
              exits.redriven();
            }
            case FINISHED -> {
              finished++;
              exits.dropped(FINISHED);
            }
            case KEPT -> kept++;
            case DISCARDED -> discarded++;
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("redrive stopped, the next cycle goes on", entry("pool", pool),
          entry("failure", Log.error(e).value()));
    }
    exits.flush(pool, clock, metrics);
    if (requeued + finished + kept + discarded > 0) {
      log.info("dead letters redriven", entry("pool", pool), entry("requeued", requeued),
          entry("finished", finished), entry("kept", kept), entry("discarded", discarded));
    }
    return new Report(requeued, finished, kept, discarded);
  }

  private enum Verdict { REQUEUED, FINISHED, KEPT, DISCARDED }

  private Verdict redrive(Received message) {
    Map<String, String> attributes = message.attributes();
    String kind = attributes.get(WarmRequest.KIND_ATTRIBUTE);
    // a warm request is asked again next cycle; a job start is a hint (docs/interruptions.md)
    if (WarmRequest.KIND.equals(kind) || dev.spotrunner.common.job.JobStart.KIND.equals(kind)) {
      queue.delete(deadLetterUrl, message.receiptHandle());
      log.info("dead-lettered hint discarded", entry("message_id", message.messageId()),
          entry("kind", kind), entry("pool", pool));
      return Verdict.DISCARDED;
    }
    String reason = attributes.get(JobReturns.REASON_ATTRIBUTE);
    // Only jobs that failed to launch (or ran out of receives) may work now; the rest never will.
    if (reason != null && !reason.startsWith(JobExits.Reason.LAUNCH_FAILED.dimension())) {
      log.info("dead letter kept", entry("message_id", message.messageId()),
          entry("reason", reason));
      return Verdict.KEPT;
    }
    JobMessage job;
    Optional<WorkflowJob> found;
    try {
      job = JobMessage.fromJson(message.body());
      found = github.job(job.repositoryOwner(), job.jobId());
    } catch (RuntimeException e) {
      log.warn("dead letter not checked, kept", entry("message_id", message.messageId()),
          entry("failure", Log.error(e).value()));
      return Verdict.KEPT;
    }
    if (found.isPresent() && found.get().queued()) {
      // A recheck stays a recheck: as a plain job it would be deleted as "already has an instance"
      // while that instance's runner may have gone to another job.
      String recheck = attributes.get(dev.spotrunner.runners.scaleup.JobRechecks.ATTRIBUTE);
      queue.send(queueUrl, message.body(), 0, recheck == null
          ? Map.of("jobId", job.jobId().toString())
          : Map.of("jobId", job.jobId().toString(),
              dev.spotrunner.runners.scaleup.JobRechecks.ATTRIBUTE, recheck));
      queue.delete(deadLetterUrl, message.receiptHandle());
      log.info("dead-lettered job still queued, back to the queue",
          entry("job_id", job.jobId().value()), entry("delivery_id", job.deliveryId()),
          entry("pool", pool));
      return Verdict.REQUEUED;
    }
    queue.delete(deadLetterUrl, message.receiptHandle());
    log.info("dead-lettered job no longer waits, dropped", entry("job_id", job.jobId().value()),
        entry("status", found.map(WorkflowJob::status).orElse("not found")), entry("pool", pool));
    return Verdict.FINISHED;
  }
}
