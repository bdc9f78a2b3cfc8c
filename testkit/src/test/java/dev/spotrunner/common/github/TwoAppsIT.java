package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInApp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two GitHub Apps installed on one organisation, two function containers using both: calls spread
 * over both installations; when the first App's key is deleted on GitHub mid-run (and its tokens
 * revoked), jobs keep getting runners through the second App, and none is lost.
 */
class TwoAppsIT {
  private static final int SPEED = 20;

  private final ScaledClock clock = new ScaledClock(Instant.parse("2026-03-01T10:00:00Z"), SPEED);
  private final GitHubStandIn github = GitHubStandIn.start(clock, 0);

  @AfterEach
  void stop() {
    github.close();
  }

  @Test
  void jobsKeepGettingRunnersThroughTheOtherAppWhenOnesKeyIsRevoked() throws Exception {
    StandInApp first = github.app();
    StandInApp second = github.addApp();
    long firstInstallation = first.install(JitLoad.ORG);
    long secondInstallation = second.install(JitLoad.ORG);
    InMemoryParameters parameters = new InMemoryParameters()
        .with("/one/id", String.valueOf(first.appId()))
        .with("/one/key", first.appKeys().pkcs1Pem())
        .with("/two/id", String.valueOf(second.appId()))
        .with("/two/key", second.appKeys().pkcs1Pem());
    GitHubAppSettings settings = new GitHubAppSettings(github.apiUrl(), "https://github.com",
        List.of(new GitHubAppSettings.App("/one/id", "/one/key"),
            new GitHubAppSettings.App("/two/id", "/two/key")), 450); // two containers
    List<GitHubRunners> containers = List.of(
        GitHubApps.create(settings, parameters, clock, GovernorLimits.GITHUB, clock.sleeper()),
        GitHubApps.create(settings, parameters, clock, GovernorLimits.GITHUB, clock.sleeper()));
    JitLoad load = new JitLoad(github, clock);
    load.queue(600);

    Thread run = Thread.ofPlatform().start(() -> {
      try {
        load.run(containers, 3, clock.instant().plus(Duration.ofMinutes(10)), true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    while (load.launched() < 150) {
      Thread.sleep(5);
    }
    int firstBefore = github.callsByInstallation(firstInstallation);
    int secondBefore = github.callsByInstallation(secondInstallation);
    first.revokeKey(first.appKeys());
    github.revokeTokens();
    int launchedAtRevocation = load.launched();
    run.join();

    assertThat(firstBefore).as("calls through the first App before").isGreaterThan(100);
    assertThat(secondBefore).as("calls through the second App before").isGreaterThan(100);
    assertThat(load.launched()).isEqualTo(600);
    assertThat(load.stillQueued()).isZero();
    // after the revocation only calls already under way went through the first App
    assertThat(github.callsByInstallation(firstInstallation) - firstBefore).isLessThan(10);
    assertThat(github.callsByInstallation(secondInstallation) - secondBefore)
        .isGreaterThanOrEqualTo(2 * (600 - launchedAtRevocation) - 20);
    assertThat(github.rateLimited()).as("secondary-limit answers").isZero();
  }

  @Test
  void aSecondaryLimitAnswerSendsTheCallToTheOtherAppAtOnce() {
    StandInApp first = github.app();
    StandInApp second = github.addApp();
    first.install(JitLoad.ORG);
    long secondInstallation = second.install(JitLoad.ORG);
    InMemoryParameters parameters = new InMemoryParameters()
        .with("/one/id", String.valueOf(first.appId()))
        .with("/one/key", first.appKeys().pkcs1Pem())
        .with("/two/id", String.valueOf(second.appId()))
        .with("/two/key", second.appKeys().pkcs1Pem());
    GitHubRunners apps = GitHubApps.create(new GitHubAppSettings(github.apiUrl(),
        "https://github.com", List.of(new GitHubAppSettings.App("/one/id", "/one/key"),
            new GitHubAppSettings.App("/two/id", "/two/key")), 900), parameters, clock,
        GovernorLimits.GITHUB, clock.sleeper());
    RunnerOwner org = RunnerOwner.org(JitLoad.ORG);
    apps.listRunners(org); // both installations looked up, tokens issued: first has fewer points
    apps.listRunners(org);
    int secondBefore = github.callsByInstallation(secondInstallation);

    github.secondaryLimitNext(1, 30); // GitHub limits the next request: the first App's JIT
    Instant start = clock.instant();
    JitConfig jit = apps.jitConfig(org, new JitRequest("limited-1", List.of("self-hosted"), 1,
        "_work"));

    assertThat(jit.runner().name()).isEqualTo("limited-1");
    assertThat(Duration.between(start, clock.instant())).isLessThan(Duration.ofSeconds(30));
    assertThat(github.callsByInstallation(secondInstallation) - secondBefore).isEqualTo(1);
    assertThat(github.rateLimited()).isEqualTo(1);
  }
}
