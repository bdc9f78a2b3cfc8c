package dev.spotrunner.runners.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.runners.sweeper.SweepReport.Count;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweeperTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private final FakeHookDeliveries github = new FakeHookDeliveries(CLOCK, 3);

  private SweepReport sweep(int points) {
    return sweeper(points).run();
  }

  private Sweeper sweeper(int points) {
    SweeperSettings settings = new SweeperSettings(
        new GitHubAppSettings(URI.create("https://api.github.com"), "/p/id", "/p/key"),
        Duration.ofMinutes(60), points);
    return new Sweeper(settings, github, CLOCK);
  }

  @Test
  void redeliversAFailedQueuedJobOnceAndCountsItRecovered() {
    HookDelivery failed = github.failedJob("guid-a", 7, 429);

    SweepReport first = sweep(200);
    SweepReport second = sweep(200);

    assertEquals(List.of(failed.id()), github.redelivered);
    assertEquals(1, first.get(Count.JOBS_RECOVERED));
    assertEquals(0, second.get(Count.JOBS_RECOVERED));
    assertEquals(List.of(false, true),
        github.attempts("guid-a").stream().map(HookDelivery::redelivery).toList());
  }

  @Test
  void neverRedeliversAGuidTwiceEvenWhenItsRedeliveryFailedToo() {
    github.failedJob("guid-a", 30, 503);
    github.answer = () -> 502;

    sweep(200);
    SweepReport second = sweep(200);
    SweepReport third = sweep(200);

    assertEquals(1, github.redelivered.size());
    assertEquals(1, second.get(Count.REDELIVERIES_GIVEN_UP));
    assertEquals(0, third.get(Count.JOBS_RECOVERED));
  }

  @Test
  void redeliversWhatGotNoAnswerOrAServerError() {
    github.failedJob("no-answer", 5, 0);
    github.failedJob("throttled-lambda", 4, 500);
    github.failedJob("bad-gateway", 3, 502);
    github.failedJob("wrong-secret", 2, 401);

    assertEquals(4, sweep(200).get(Count.JOBS_RECOVERED));
  }

  @Test
  void leavesDeliveredJobsOtherEventsAndWhatTheWebhookRefusedAlone() {
    github.failedJob("delivered-later", 20, 503);
    github.add("delivered-later", 19, 202, "workflow_job", "queued");
    github.failedJob("ok", 15, 202);
    github.add("started", 14, 503, "workflow_job", "in_progress");
    github.add("ping", 13, 500, "ping", null);
    github.add("check-run", 12, 500, "check_run", "created");
    github.failedJob("bad-name", 11, 400);
    github.failedJob("public-repo", 10, 403);
    github.failedJob("too-large", 9, 413);

    SweepReport report = sweep(200);

    assertEquals(List.of(), github.redelivered);
    assertEquals(3, report.get(Count.REFUSED_BY_WEBHOOK));
  }

  @Test
  void spendsNoMoreThanTheRunsPointsAndRedeliversTheOldestFirst() {
    List<Long> oldestFirst = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      oldestFirst.add(github.failedJob("guid-" + i, 50 - i, 503).id());
    }

    // 3 pages (3 points) + 2 redeliveries (10) fit in 14; a third redelivery would not
    SweepReport report = sweep(14);

    assertEquals(13, report.get(Count.POINTS_SPENT));
    assertEquals(oldestFirst.subList(0, 2), github.redelivered);
    assertEquals(7, report.get(Count.REDELIVERIES_DEFERRED));

    SweepReport next = sweep(200);
    assertEquals(7, next.get(Count.JOBS_RECOVERED));
    assertEquals(new java.util.HashSet<>(oldestFirst), new java.util.HashSet<>(github.redelivered));
    assertEquals(9, github.redelivered.size());
  }

  @Test
  void pagesBackToTheLookbackWindowAndNoFurther() {
    github.failedJob("too-old", 61, 503);
    for (int i = 0; i < 5; i++) {
      github.add("recent-" + i, 10 + i, 202, "workflow_job", "queued");
    }
    for (int i = 0; i < 6; i++) {
      github.add("older-" + i, 62 + i, 503, "workflow_job", "queued");
    }

    SweepReport report = sweep(200);

    // newest first: page 1 and 2 hold the 5 recent ones and the first past the window
    assertEquals(java.util.Arrays.asList(null, "3"), github.pagesRead);
    assertEquals(2, report.get(Count.PAGES_READ));
    assertEquals(List.of(), github.redelivered);
  }

  @Test
  void aRateLimitedRedeliveryDefersTheRestToTheNextRun() {
    for (int i = 0; i < 4; i++) {
      github.failedJob("guid-" + i, 20 - i, 503);
    }
    github.refuseRedeliveriesAfter = 1;

    SweepReport report = sweep(200);

    assertEquals(1, report.get(Count.JOBS_RECOVERED));
    assertEquals(3, report.get(Count.REDELIVERIES_DEFERRED));
  }

  @Test
  void actsOnWhatItReadWhenALaterPageFails() {
    for (int i = 0; i < 5; i++) {
      github.failedJob("guid-" + i, 10 + i, 503);
    }
    github.failPageAfter = 1;

    SweepReport report = sweep(200);

    // the first page (3 newest) is complete back to its oldest attempt
    assertEquals(3, report.get(Count.JOBS_RECOVERED));
  }

  @Test
  void aRunThatCannotReadAnythingFails() {
    github.failedJob("guid-a", 10, 503);
    github.failPageAfter = 0;

    assertThrows(TransientFailure.class, () -> sweep(200));
    assertEquals(List.of(), github.redelivered);
  }

  @Test
  void theHandlerWritesTheRunsCountsAsEmf() {
    github.failedJob("guid-a", 7, 429);
    List<String> lines = new ArrayList<>();

    Map<String, Integer> counts =
        new SweeperHandler(sweeper(200), CLOCK, lines::add).handleRequest(Map.of(), null);

    assertEquals(1, counts.get("JobsRecovered"));
    assertEquals(6, counts.get("SweeperPointsSpent"));
    assertEquals(1, lines.size());
    assertTrue(lines.getFirst().contains("\"JobsRecovered\":1"), lines.getFirst());
    assertTrue(lines.getFirst().contains("\"function\":\"sweeper\""), lines.getFirst());
  }
}
