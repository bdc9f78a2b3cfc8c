package dev.spotrunner.runners.redrive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.runners.scaleup.FakeSqs;
import dev.spotrunner.runners.scaleup.JobReturns;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedriveTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final String QUEUE = "https://sqs/1/prod-linux-jobs";
  private static final String DLQ = "https://sqs/1/prod-linux-jobs-dlq";

  private final ManualClock clock = new ManualClock(NOW);
  private final FakeSqs sqs = new FakeSqs(clock);
  private final FakeGitHub github = new FakeGitHub(clock);
  private final List<String> metrics = new ArrayList<>();

  private static JobMessage job(long id) {
    return new JobMessage(id, 9000 + id, "acme/api", "acme", "Organization", 42,
        List.of("self-hosted", "linux"), "linux", "d-" + id, NOW.minusSeconds(3600));
  }

  private void status(long id, String status) {
    github.job(new WorkflowJob(id, 9000 + id, status, List.of("self-hosted", "linux"), NOW, null));
  }

  @Test
  void requeuesJobsStillQueuedAndDropsFinishedOnesWithAMetric() {
    sqs.send(DLQ, job(1).toJson(), 0, Map.of()); // ran out of receives
    sqs.send(DLQ, job(2).toJson(), 0, Map.of(JobReturns.REASON_ATTRIBUTE, "launch_failed: 403"));
    sqs.send(DLQ, job(3).toJson(), 0, Map.of());
    sqs.send(DLQ, "{oops", 0, Map.of(JobReturns.REASON_ATTRIBUTE, "malformed: not json"));
    status(1, "queued");
    status(2, "queued");
    status(3, "completed");

    Redrive.Report report =
        new Redrive("linux", sqs, QUEUE, DLQ, 20, github, metrics::add, clock).run();

    assertEquals(new Redrive.Report(2, 1, 1, 0), report);
    assertEquals(List.of(1L, 2L), sqs.messages(QUEUE).stream()
        .map(m -> JobMessage.fromJson(m.body()).jobId().value()).toList());
    assertEquals(List.of("{oops"), sqs.messages(DLQ).stream().map(FakeSqs.Message::body).toList(),
        "the malformed message stays for a person");
    assertTrue(metrics.stream().anyMatch(l -> l.contains("\"JobsDropped\"")
        && l.contains("\"reason\":\"finished\"")), String.join("\n", metrics));
  }

  @Test
  void keepsADeadLetterWhenGitHubDoesNotAnswer() {
    sqs.send(DLQ, job(1).toJson(), 0, Map.of());
    github.down(true);

    Redrive.Report report =
        new Redrive("linux", sqs, QUEUE, DLQ, 20, github, metrics::add, clock).run();

    assertEquals(new Redrive.Report(0, 0, 1, 0), report);
    assertEquals(1, sqs.messages(DLQ).size());
    assertEquals(List.of(), sqs.messages(QUEUE));
  }

  @Test
  void dropsADeadLetteredJobStartWithoutAskingGitHub() {
    sqs.send(DLQ, new dev.spotrunner.common.job.JobStart(dev.spotrunner.common.job.JobId.of(7),
        "acme/api", "dev-i-0abc12345678", "linux", "d-7", clock.instant()).toJson(), 0,
        Map.of(dev.spotrunner.common.job.JobStart.KIND_ATTRIBUTE, dev.spotrunner.common.job.JobStart.KIND));
    github.down(true);

    Redrive.Report report =
        new Redrive("linux", sqs, QUEUE, DLQ, 20, github, metrics::add, clock).run();

    assertEquals(new Redrive.Report(0, 0, 0, 1), report);
    assertEquals(List.of(), sqs.messages(DLQ));
    assertEquals(List.of(), sqs.messages(QUEUE));
    assertTrue(metrics.stream().noneMatch(l -> l.contains("\"JobsDropped\"")),
        "a job start is a hint, not a dropped job: " + String.join("\n", metrics));
  }
}
