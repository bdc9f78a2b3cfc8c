package dev.spotrunner.runners.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GitHubAppSettings.App;
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

/** The sweeper over several Apps: each App's own delivery log, one budget split across them. */
class SweeperAppsTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

  private final FakeHookDeliveries first = new FakeHookDeliveries(CLOCK, 3);
  private final FakeHookDeliveries second = new FakeHookDeliveries(CLOCK, 3);

  private static SweeperSettings settings(int points, int apps) {
    List<App> list = new ArrayList<>();
    for (int i = 0; i < apps; i++) {
      list.add(new App("/p/id-" + i, "/p/key-" + i));
    }
    return new SweeperSettings(new GitHubAppSettings(URI.create("https://api.github.com"),
        "https://github.com", list, GitHubAppSettings.GITHUB_POINTS), Duration.ofMinutes(60),
        points);
  }

  private SweepReport sweep(int points) {
    return new Sweeper(settings(points, 2), List.of(first, second), CLOCK).run();
  }

  @Test
  void redeliversTheFailedJobsOfEveryAppThroughTheAppThatOwnsThem() {
    HookDelivery a = first.failedJob("guid-a", 7, 503);
    HookDelivery b = second.failedJob("guid-b", 6, 0);
    HookDelivery c = second.failedJob("guid-c", 5, 502);

    SweepReport report = sweep(200);
    SweepReport again = sweep(200);

    assertEquals(List.of(a.id()), first.redelivered);
    assertEquals(List.of(b.id(), c.id()), second.redelivered);
    assertEquals(3, report.get(Count.JOBS_RECOVERED));
    assertEquals(2, report.get(Count.PAGES_READ));
    assertEquals(0, again.get(Count.JOBS_RECOVERED), "each delivery redelivered once");
  }

  @Test
  void splitsTheRunsPointsAcrossTheAppsAndNeverSpendsMore() {
    for (int i = 0; i < 6; i++) {
      first.failedJob("one-" + i, 40 - i, 503);
      second.failedJob("two-" + i, 30 - i, 503);
    }

    // 26 points: the first App gets 13 (2 pages + 2 redeliveries = 12), the second the 14 left
    // (2 pages + 2 redeliveries = 12); without a split the first App would take 4 redeliveries
    SweepReport report = sweep(26);

    assertEquals(2, first.redelivered.size());
    assertEquals(2, second.redelivered.size());
    assertTrue(report.get(Count.POINTS_SPENT) <= 26, report.toString());
    assertEquals(24, report.get(Count.POINTS_SPENT));
    assertEquals(8, report.get(Count.REDELIVERIES_DEFERRED));
  }

  @Test
  void whatOneAppLeavesUnusedGoesToTheNext() {
    for (int i = 0; i < 4; i++) {
      second.failedJob("two-" + i, 30 - i, 503);
    }

    // the first App's log is empty (1 page); the second gets 25 points: 2 pages + 4 redeliveries
    SweepReport report = sweep(26);

    assertEquals(List.of(), first.redelivered);
    assertEquals(4, second.redelivered.size());
    assertEquals(23, report.get(Count.POINTS_SPENT));
  }

  @Test
  void anAppWhoseLogCannotBeReadDoesNotStopTheOthers() {
    first.failedJob("guid-a", 7, 503);
    second.failedJob("guid-b", 6, 503);
    first.failPageAfter = 0;

    SweepReport report = sweep(200);

    assertEquals(List.of(), first.redelivered);
    assertEquals(1, second.redelivered.size());
    assertEquals(1, report.get(Count.LOGS_UNREAD));
  }

  @Test
  void aRunThatCanReadNoAppsLogFails() {
    first.failPageAfter = 0;
    second.failPageAfter = 0;

    assertThrows(RuntimeException.class, () -> sweep(200));
  }

  @Test
  void refusesABudgetThatCannotCoverAPageAndARedeliveryPerApp() {
    assertThrows(IllegalArgumentException.class, () -> settings(11, 2));
    assertEquals(12, settings(12, 2).maxPointsPerRun());
  }

  @Test
  void readsEveryAppOfTheEnvironment() {
    SweeperSettings settings = SweeperSettings.fromEnv(Map.of(
        "GITHUB_APP_ID_PARAM", "/a/id,/b/id",
        "GITHUB_APP_KEY_PARAM", "/a/key,/b/key"));

    assertEquals(List.of(new App("/a/id", "/a/key"), new App("/b/id", "/b/key")),
        settings.github().apps());
  }
}
