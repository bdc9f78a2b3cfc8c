package dev.spotrunner.runners.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.sweeper.SweepReport.Count;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInDeliveries;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sweeper over HTTP against the GitHub stand-in's delivery log (App JWT, cursor pages in the
 * Link header, 429 and secondary-limit answers), with the App key read from SSM on moto.
 */
@ExtendWith(AwsEmulatorExtension.class)
class SweeperIT {
  private GitHubStandIn github;
  private StandInDeliveries log;
  private SsmParameters parameters;
  private final List<String> webhookGot = Collections.synchronizedList(new ArrayList<>());
  private IntSupplier webhookAnswer = () -> 202;

  @BeforeEach
  void start(AwsClients aws) {
    github = GitHubStandIn.start();
    log = StandInDeliveries.of(github);
    // the webhook the stand-in redelivers to: records what arrives and answers as told
    log.target((guid, event, body) -> {
      webhookGot.add(guid + " " + event + " " + body);
      return webhookAnswer.getAsInt();
    });
    parameters = new SsmParameters(aws.ssm(), Clock.systemUTC());
    parameters.putSecure("/sweeper-it/app-id", String.valueOf(github.appId()));
    parameters.putSecure("/sweeper-it/app-key", github.appKeys().pkcs1Pem());
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private Sweeper sweeper() {
    Map<String, String> env = Map.of(
        "ENVIRONMENT", "sweeper-it",
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", "/sweeper-it/app-id",
        "GITHUB_APP_KEY_PARAM", "/sweeper-it/app-key",
        "SWEEPER_LOOKBACK_MINUTES", "60",
        "SWEEPER_MAX_POINTS", "200");
    return SweeperWiring.create(env, parameters, Clock.systemUTC(), Sleeper.REAL,
        GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50), Duration.ofSeconds(20)));
  }

  /** 230 attempts, the failed queued jobs spread over three pages of 100. */
  private Set<String> seedLog() {
    Set<String> failedJobs = new TreeSet<>();
    int[] failures = {503, 429, 0, 500, 502};
    for (int i = 0; i < 230; i++) {
      String guid = "guid-" + i;
      String body = "{\"action\":\"queued\",\"workflow_job\":{\"id\":" + (7000 + i) + "}}";
      if (i % 23 == 0) {
        log.record(guid, "workflow_job", "queued", body, failures[i % failures.length]);
        failedJobs.add(guid);
      } else if (i % 23 == 1) {
        log.record(guid, "workflow_job", "in_progress", body, 503); // metrics only: left alone
      } else if (i % 23 == 2) {
        log.record(guid, "workflow_job", "queued", body, 400); // the webhook's verdict: left alone
      } else {
        log.record(guid, "workflow_job", "queued", body, 202);
      }
    }
    return failedJobs;
  }

  @Test
  void redeliversEveryFailedQueuedJobOnceAcrossPages() {
    Set<String> failedJobs = seedLog();

    SweepReport first = sweeper().run();
    SweepReport second = sweeper().run();

    assertEquals(3, first.get(Count.PAGES_READ), "230 attempts in pages of 100");
    assertEquals(failedJobs.size(), first.get(Count.JOBS_RECOVERED));
    assertEquals(0, second.get(Count.JOBS_RECOVERED));
    Set<String> redelivered = new TreeSet<>();
    for (String got : webhookGot) {
      redelivered.add(got.substring(0, got.indexOf(' ')));
    }
    assertEquals(failedJobs, redelivered);
    assertEquals(failedJobs.size(), webhookGot.size(), "each guid once");
    for (String guid : failedJobs) {
      List<StandInDeliveries.Delivery> attempts = log.attempts(guid);
      assertEquals(2, attempts.size(), guid);
      assertTrue(attempts.get(1).redelivery());
      assertEquals(attempts.get(0).body(), attempts.get(1).body());
    }
  }

  @Test
  void waitsOutA429AndASecondaryLimitAndStillRecovers() {
    Set<String> failedJobs = seedLog();
    log.tooManyRequestsNext(1, 1);
    github.secondaryLimitNext(1, 1);

    SweepReport report = sweeper().run();

    assertEquals(failedJobs.size(), report.get(Count.JOBS_RECOVERED));
    assertEquals(1, github.rateLimited(), "the stand-in's secondary limit answered once");
    assertEquals(failedJobs.size(), webhookGot.size());
  }

  @Test
  void aRedeliveryThatFailsAgainIsNotSentAThirdTime() {
    log.record("guid-x", "workflow_job", "queued", "{}", 503);
    webhookAnswer = () -> 500;

    SweepReport first = sweeper().run();
    SweepReport second = sweeper().run();

    assertEquals(1, first.get(Count.JOBS_RECOVERED));
    assertEquals(1, second.get(Count.REDELIVERIES_GIVEN_UP));
    assertEquals(2, log.attempts("guid-x").size());
    assertEquals(1, webhookGot.size());
  }

  @Test
  void spendsAtMostItsPointsAndLeavesTheRestForTheNextRun() {
    Set<String> failedJobs = seedLog();
    Map<String, String> env = Map.of(
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", "/sweeper-it/app-id",
        "GITHUB_APP_KEY_PARAM", "/sweeper-it/app-key",
        "SWEEPER_MAX_POINTS", "20");
    Sweeper small = SweeperWiring.create(env, parameters, Clock.systemUTC(), Sleeper.REAL,
        GovernorLimits.GITHUB);

    SweepReport report = small.run();

    // 3 pages + 3 redeliveries = 18 points; a fourth would make 23
    assertEquals(18, report.get(Count.POINTS_SPENT));
    assertEquals(3, report.get(Count.JOBS_RECOVERED));
    assertEquals(failedJobs.size() - 3, report.get(Count.REDELIVERIES_DEFERRED));
    assertEquals(6, github.callsByApp(), "3 list pages and 3 redeliveries reached GitHub");
  }

  /**
   * Two Apps from the comma-separated parameter lists, the second one's key revoked on GitHub: its
   * log answers 401, the first App's log is still swept. (The stand-in keeps one delivery log for
   * all its Apps, so two readable Apps would both see the same log; GitHub keeps one per App.)
   */
  @Test
  void aSecondAppWhoseKeyIsRefusedDoesNotStopTheFirstAppsSweep() {
    Set<String> failedJobs = seedLog();
    var second = github.addApp();
    parameters.putSecure("/sweeper-it/app2-id", String.valueOf(second.appId()));
    parameters.putSecure("/sweeper-it/app2-key", second.appKeys().pkcs1Pem());
    second.revokeKey(second.appKeys());
    Map<String, String> env = Map.of(
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", "/sweeper-it/app-id,/sweeper-it/app2-id",
        "GITHUB_APP_KEY_PARAM", "/sweeper-it/app-key,/sweeper-it/app2-key",
        "SWEEPER_MAX_POINTS", "200");
    Sweeper two = SweeperWiring.create(env, parameters, Clock.systemUTC(), Sleeper.REAL,
        GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50), Duration.ofSeconds(20)));

    SweepReport report = two.run();

    assertEquals(failedJobs.size(), report.get(Count.JOBS_RECOVERED));
    assertEquals(1, report.get(Count.LOGS_UNREAD), "the second App's log answered 401");
    assertEquals(failedJobs.size(), webhookGot.size(), "each guid once");
  }

  /**
   * The first App's key revoked (the one Terraform lists first): its log answers 401 and costs its
   * page, the second App gets the rest of the run's points and still recovers every failed job.
   */
  @Test
  void aFirstAppWhoseKeyIsRevokedDoesNotStopTheSecondAppsSweep() {
    Set<String> failedJobs = seedLog();
    var second = github.addApp();
    parameters.putSecure("/sweeper-it/app2-id", String.valueOf(second.appId()));
    parameters.putSecure("/sweeper-it/app2-key", second.appKeys().pkcs1Pem());
    github.app().revokeKey(github.appKeys());
    Map<String, String> env = Map.of(
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", "/sweeper-it/app-id,/sweeper-it/app2-id",
        "GITHUB_APP_KEY_PARAM", "/sweeper-it/app-key,/sweeper-it/app2-key",
        "SWEEPER_MAX_POINTS", "200");
    Sweeper two = SweeperWiring.create(env, parameters, Clock.systemUTC(), Sleeper.REAL,
        GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50), Duration.ofSeconds(20)));

    SweepReport report = two.run();

    assertEquals(1, report.get(Count.LOGS_UNREAD), "the first App's log answered 401");
    assertEquals(failedJobs.size(), report.get(Count.JOBS_RECOVERED));
    assertEquals(failedJobs.size(), webhookGot.size(), "each guid once");
    // the first App's refused page (1) + the second App's 3 pages and its redeliveries
    assertEquals(1 + 3 + 5 * failedJobs.size(), report.get(Count.POINTS_SPENT));
  }
}
