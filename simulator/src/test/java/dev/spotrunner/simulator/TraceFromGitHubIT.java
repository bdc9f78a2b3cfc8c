package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.testkit.fakes.ManualClock;
import dev.spotrunner.testkit.github.GitHubStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./spotrunner trace --repo} (its {@link TraceCommand#run}) over HTTP against the GitHub
 * stand-in's Actions routes: GitHub's pages of 100, its secondary and primary limits, resuming,
 * as the GitHub App or with a token.
 */
class TraceFromGitHubIT {
  private static final Instant START = Instant.parse("2025-09-03T08:00:00Z");
  private static final int RUNS = 105;
  private static final int BIG_RUN_JOBS = 120;
  private static final long BIG_RUN = 9_000;

  private final ManualClock clock = new ManualClock(START.minus(Duration.ofDays(10)));
  private final List<Duration> slept = new ArrayList<>();
  private GitHubStandIn github;
  private long installation;
  private Path key;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    github = GitHubStandIn.start(clock, 0);
    installation = github.install("acme");
    key = dir.resolve("app.pem");
    Files.writeString(key, github.appKeys().pkcs1Pem());
    // a run older than the --since window
    finishedRun(1, 1, "old", Duration.ofSeconds(3), Duration.ofSeconds(30), "self-hosted");
    clock.advance(Duration.between(clock.instant(), START));
    // 105 runs of one job (runs: two pages of 100), job i waits i seconds and runs 300 s
    for (int i = 1; i <= RUNS; i++) {
      finishedRun(10 + i, 1_000 + i, "test " + i, Duration.ofSeconds(i), Duration.ofSeconds(300),
          "self-hosted", "linux", "x64");
      clock.advance(Duration.ofMinutes(10));
    }
    // one run of 120 jobs (its jobs: two pages of 100)
    github.addWorkflowRun("acme", "app", BIG_RUN, "CI");
    for (int j = 0; j < BIG_RUN_JOBS; j++) {
      github.addRunJob(BIG_RUN, 20_000 + j, "matrix, part " + j, List.of("self-hosted"));
    }
    clock.advance(Duration.ofSeconds(20));
    for (int j = 0; j < BIG_RUN_JOBS; j++) {
      github.updateJob(20_000 + j, "in_progress", null);
    }
    clock.advance(Duration.ofSeconds(600));
    for (int j = 0; j < BIG_RUN_JOBS; j++) {
      github.updateJob(20_000 + j, "completed", j == 0 ? "failure" : "success");
    }
    // a run still going: fetched by a later call
    github.addWorkflowRun("acme", "app", 8_000, "CI");
    github.addRunJob(8_000, 30_000, "slow", List.of("self-hosted"));
    clock.advance(Duration.ofSeconds(5));
    github.updateJob(30_000, "in_progress", null);
    clock.advance(Duration.ofMinutes(1));
    github.resetCountersAndFaults();
  }

  private void finishedRun(long runId, long jobId, String name, Duration wait, Duration runs,
      String... labels) {
    github.addWorkflowRun("acme", "app", runId, "CI");
    github.addRunJob(runId, jobId, name, List.of(labels));
    clock.advance(wait);
    github.updateJob(jobId, "in_progress", null);
    clock.advance(runs);
    github.updateJob(jobId, "completed", "success");
    clock.advance(wait.negated().minus(runs));
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private GitHubTrace.Outcome trace(Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--api", github.apiUrl().toString()));
    all.addAll(List.of(args));
    return TraceCommand.run(all.toArray(String[]::new), env,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock,
        d -> {
          slept.add(d);
          clock.advance(d);
        });
  }

  private GitHubTrace.Outcome asTheApp(Path out, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--repo", "acme/app", "--since", "7", "--out",
        out.toString(), "--app-id", Long.toString(github.appId()), "--app-key-file",
        key.toString()));
    args.addAll(List.of(more));
    return trace(Map.of(), args.toArray(String[]::new));
  }

  @Test
  void writesEveryFinishedJobOfTheWindowAcrossGitHubsPagesInTheTraceFormat(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("trace.csv");

    GitHubTrace.Outcome outcome = asTheApp(out);

    assertThat(outcome.runs()).isEqualTo(RUNS + 1);
    assertThat(outcome.jobs()).isEqualTo(RUNS + BIG_RUN_JOBS);
    List<TraceJob> jobs = Trace.read(out);
    assertThat(jobs).hasSize(RUNS + BIG_RUN_JOBS);
    assertThat(jobs).extracting(TraceJob::jobId).doesNotContain(1L, 30_000L);
    TraceJob test7 = jobs.stream().filter(j -> j.jobId() == 1_007).findFirst().orElseThrow();
    assertThat(test7.observedWaitSeconds()).isEqualTo(7);
    assertThat(test7.durationSeconds()).isEqualTo(300);
    assertThat(test7.labels()).containsExactly("self-hosted", "linux", "x64");
    assertThat(Files.readAllLines(out).getFirst()).isEqualTo(GitHubTrace.HEADER);
    // 107 runs in the window (one still going): 2 pages; the big run's 120 jobs: 2 pages
    assertThat(github.calls("list-workflow-runs")).isEqualTo(2);
    assertThat(github.calls("list-jobs-for-run")).isEqualTo(RUNS + 2);
    assertThat(outcome.requests()).isEqualTo(RUNS + 4);
  }

  @Test
  void withATokenItKeepsToThePointsPerMinuteItWasGiven(@TempDir Path dir) throws Exception {
    String token = TraceCommand.installationToken(github.apiUrl(), Long.toString(github.appId()),
        github.appKeys().pkcs1Pem(), "acme/app", clock);

    GitHubTrace.Outcome outcome = trace(Map.of("GITHUB_TOKEN", token), "--repo", "acme/app",
        "--since", "7", "--out", dir.resolve("t.csv").toString(), "--points-per-minute", "30");

    assertThat(outcome.jobs()).isEqualTo(RUNS + BIG_RUN_JOBS);
    assertThat(github.peakPoints(installation)).isBetween(25, 30);
    assertThat(github.rateLimited()).isZero();
  }

  @Test
  void waitsAsGitHubSaysOnASecondaryLimitAndLosesNothing(@TempDir Path dir) throws Exception {
    String token = TraceCommand.installationToken(github.apiUrl(), Long.toString(github.appId()),
        github.appKeys().pkcs1Pem(), "acme/app", clock);
    github.secondaryLimitNext(2, 7);

    GitHubTrace.Outcome outcome = trace(Map.of("GITHUB_TOKEN", token), "--repo", "acme/app",
        "--since", "7", "--out", dir.resolve("t.csv").toString());

    assertThat(outcome.jobs()).isEqualTo(RUNS + BIG_RUN_JOBS);
    assertThat(github.rateLimited()).isEqualTo(2);
    assertThat(slept.stream().filter(d -> d.equals(Duration.ofSeconds(7))).count()).isEqualTo(2);
  }

  @Test
  void waitsForThePrimaryLimitsResetWhenTheHourIsSpent(@TempDir Path dir) throws Exception {
    github.primaryLimit(60);
    Instant before = clock.instant();

    GitHubTrace.Outcome outcome = asTheApp(dir.resolve("t.csv"));

    assertThat(outcome.jobs()).isEqualTo(RUNS + BIG_RUN_JOBS);
    // one wait until x-ratelimit-reset, the top of the next hour, plus a second
    Instant nextHour = before.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(3600);
    assertThat(slept).anyMatch(d -> d.compareTo(Duration.ofMinutes(1)) > 0);
    assertThat(clock.instant()).isAfter(nextHour);
    // it saw x-ratelimit-remaining reach 0 and waited before GitHub had to refuse anything
    assertThat(outcome.requests()).isEqualTo(RUNS + 4);
  }

  @Test
  void whenAnotherClientSpentTheHourItWaitsOutTheRefusalAndLosesNothing(@TempDir Path dir)
      throws Exception {
    String token = TraceCommand.installationToken(github.apiUrl(), Long.toString(github.appId()),
        github.appKeys().pkcs1Pem(), "acme/app", clock);
    // room for the whole trace in the next hour: the token lives one hour, not two
    github.primaryLimit(120);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 120; i++) {
      http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(github.apiUrl() + "/repos/acme/app/actions/runs/1/jobs"))
          .header("Authorization", "Bearer " + token).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
    }
    Instant started = clock.instant();
    Instant nextHour = started.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plusSeconds(3600);

    GitHubTrace.Outcome outcome = trace(Map.of("GITHUB_TOKEN", token), "--repo", "acme/app",
        "--since", "7", "--out", dir.resolve("t.csv").toString());

    assertThat(outcome.jobs()).isEqualTo(RUNS + BIG_RUN_JOBS);
    // the first request was refused (403, nothing remaining) and asked again after the reset
    assertThat(outcome.requests()).isEqualTo(RUNS + 5);
    assertThat(slept.getFirst()).isEqualTo(Duration.between(started, nextHour).plusSeconds(1));
  }

  @Test
  void aSecondCallResumesAndFetchesOnlyTheRunsFinishedSince(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("trace.csv");
    asTheApp(out);
    int jobsCalls = github.calls("list-jobs-for-run");
    clock.advance(Duration.ofMinutes(5));
    github.updateJob(30_000, "completed", "success");

    GitHubTrace.Outcome again = asTheApp(out);

    assertThat(again.runsSkipped()).isEqualTo(RUNS + 1);
    assertThat(again.runs()).isEqualTo(1);
    assertThat(Trace.read(out)).hasSize(RUNS + BIG_RUN_JOBS + 1);
    // only the finished run's jobs were read again
    assertThat(github.calls("list-jobs-for-run") - jobsCalls).isEqualTo(1);
  }

  @Test
  void aBadTokenFailsWithoutPrintingIt(@TempDir Path dir) {
    String wrong = "ghs_" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    assertThatThrownBy(() -> trace(Map.of("GITHUB_TOKEN", wrong), "--repo", "acme/app", "--since",
        "7", "--out", dir.resolve("t.csv").toString()))
        .hasMessageContaining("401").hasMessageNotContaining(wrong);
  }

  @Test
  void withoutATokenOrAnAppItSaysWhatToGive(@TempDir Path dir) {
    assertThatThrownBy(() -> trace(Map.of(), "--repo", "acme/app", "--out",
        dir.resolve("t.csv").toString()))
        .isInstanceOf(TraceCommand.UsageError.class).hasMessageContaining("GITHUB_TOKEN");
  }
}
