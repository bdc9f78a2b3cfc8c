package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.testkit.fakes.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trace} over HTTP against {@link GitHubActionsFixture}: pages, limits, resuming. */
class TraceFromGitHubIT {
  private static final Instant NOW = Instant.parse("2025-09-10T12:00:00Z");
  private final String token = HexFormat.of().formatHex(SecureRandom.getSeed(16));
  private final ManualClock clock = new ManualClock(NOW);
  private final List<Duration> slept = new ArrayList<>();
  private GitHubActionsFixture github;

  @BeforeEach
  void start() throws IOException {
    github = new GitHubActionsFixture(token, clock);
    Instant day = NOW.minus(Duration.ofDays(1));
    // three finished runs, one still running; run 2 has 5 jobs (3 pages of 2)
    github.run(1, "completed", day);
    github.job(1, 101, "lint", day, day.plusSeconds(5), day.plusSeconds(65), "ubuntu-latest");
    github.run(2, "completed", day.plusSeconds(600));
    for (int i = 0; i < 5; i++) {
      Instant q = day.plusSeconds(600 + i);
      github.job(2, 201 + i, "test, part " + i, q, q.plusSeconds(30 + i), q.plusSeconds(300),
          "self-hosted", "linux", "x64");
    }
    github.run(3, "completed", day.plusSeconds(1200));
    github.job(3, 301, "build", day.plusSeconds(1200), day.plusSeconds(1210), day.plusSeconds(1500),
        "self-hosted", "linux");
    github.run(4, "in_progress", day.plusSeconds(1800));
    github.job(4, 401, "slow", day.plusSeconds(1800), day.plusSeconds(1805), null, "self-hosted");
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private GitHubTrace trace(String withToken) {
    return new GitHubTrace(github.api(), withToken, 600, clock, d -> {
      slept.add(d);
      clock.advance(d);
    });
  }

  @Test
  void writesEveryFinishedJobAcrossPagesInTheTraceFormat(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("trace.csv");

    GitHubTrace.Outcome outcome = trace(token).fetch("acme/app", 7, out);

    assertThat(outcome.runs()).isEqualTo(3);
    assertThat(outcome.jobs()).isEqualTo(7);
    List<TraceJob> jobs = Trace.read(out);
    assertThat(jobs).extracting(TraceJob::jobId)
        .containsExactlyInAnyOrder(101L, 201L, 202L, 203L, 204L, 205L, 301L);
    TraceJob part4 = jobs.stream().filter(j -> j.jobId() == 205).findFirst().orElseThrow();
    assertThat(part4.observedWaitSeconds()).isEqualTo(34);
    assertThat(part4.durationSeconds()).isEqualTo(300 - 34);
    assertThat(part4.labels()).containsExactly("self-hosted", "linux", "x64");
    assertThat(Files.readAllLines(out).getFirst()).isEqualTo(GitHubTrace.HEADER);
    // runs: 2 pages; jobs of run 2: 3 pages
    assertThat(github.paths().stream().filter(p -> p.endsWith("/runs/2/jobs")).count()).isEqualTo(3);
    assertThat(github.paths().stream().filter(p -> p.endsWith("/actions/runs")).count()).isEqualTo(2);
  }

  @Test
  void waitsAsGitHubSaysOnASecondaryLimitAndOnASpentPrimaryLimitAndKeepsItsPace(@TempDir Path dir)
      throws Exception {
    github.secondaryLimitAt(2);
    github.primaryLimitSpentAt(4);

    GitHubTrace.Outcome outcome = trace(token).fetch("acme/app", 7, dir.resolve("t.csv"));

    assertThat(outcome.jobs()).isEqualTo(7);
    assertThat(slept).contains(Duration.ofSeconds(7));
    // until x-ratelimit-reset (30 s after the answer, to the second) plus one
    assertThat(slept).anyMatch(d -> d.compareTo(Duration.ofSeconds(30)) > 0
        && d.compareTo(Duration.ofSeconds(31)) <= 0);
    // 600 requests a minute at most: 100 ms between requests
    assertThat(slept).contains(Duration.ofMillis(100));
    assertThat(outcome.requests()).isEqualTo(github.paths().size());
  }

  @Test
  void aSecondCallResumesAndFetchesOnlyTheRunsFinishedSince(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("trace.csv");
    trace(token).fetch("acme/app", 7, out);
    int requestsBefore = github.paths().size();
    Instant later = NOW.minus(Duration.ofHours(1));
    github.run(5, "completed", later);
    github.job(5, 501, "new", later, later.plusSeconds(3), later.plusSeconds(60), "self-hosted");

    GitHubTrace.Outcome again = trace(token).fetch("acme/app", 7, out);

    assertThat(again.runsSkipped()).isEqualTo(3);
    assertThat(again.runs()).isEqualTo(1);
    assertThat(Trace.read(out)).hasSize(8);
    // only the runs list and the new run's jobs were read
    assertThat(github.paths().subList(requestsBefore, github.paths().size()))
        .noneMatch(p -> p.matches(".*/runs/[123]/jobs"));
  }

  @Test
  void asAGitHubAppItReadsWithItsInstallationsToken(@TempDir Path dir) throws Exception {
    try (dev.spotrunner.testkit.github.GitHubStandIn standIn =
        dev.spotrunner.testkit.github.GitHubStandIn.start()) {
      standIn.install("acme");

      String installationToken = TraceCommand.installationToken(standIn.apiUrl(),
          Long.toString(standIn.appId()), standIn.appKeys().pkcs1Pem(), "acme/app");

      assertThat(standIn.calls("get-repo-installation")).isEqualTo(1);
      assertThat(standIn.calls("create-installation-token")).isEqualTo(1);
      try (GitHubActionsFixture actions = new GitHubActionsFixture(installationToken, clock)) {
        actions.run(1, "completed", NOW.minusSeconds(600));
        actions.job(1, 11, "build", NOW.minusSeconds(600), NOW.minusSeconds(590),
            NOW.minusSeconds(300), "self-hosted");
        GitHubTrace.Outcome outcome = new GitHubTrace(actions.api(), installationToken, 600, clock,
            d -> clock.advance(d)).fetch("acme/app", 1, dir.resolve("app.csv"));
        assertThat(outcome.jobs()).isEqualTo(1);
      }
    }
  }

  @Test
  void aBadTokenFailsWithoutPrintingIt(@TempDir Path dir) {
    String wrong = "not-" + token;
    assertThatThrownBy(() -> trace(wrong).fetch("acme/app", 7, dir.resolve("t.csv")))
        .hasMessageContaining("401").hasMessageNotContaining(wrong);
  }
}
