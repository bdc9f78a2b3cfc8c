package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.github.GitHubStandIn;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One installation's 900 points a minute shared by several function containers calling the
 * stand-in concurrently over HTTP, each with its own governor: with the share Terraform gives each
 * container ({@code GITHUB_POINTS_PER_MINUTE}) the installation never gets a secondary-limit
 * answer and every job gets its runner; with the whole budget each, as before, it does. Time runs
 * 20 times faster (stand-in, governors, JWTs and tokens alike) so minutes take seconds.
 */
class SharedBudgetIT {
  private static final int SPEED = 20;
  private static final int CONTAINERS = 4;
  private static final int THREADS = 3;

  private final ScaledClock clock = new ScaledClock(Instant.parse("2026-03-01T10:00:00Z"), SPEED);
  private final GitHubStandIn github = GitHubStandIn.start(clock, 0);

  @AfterEach
  void stop() {
    github.close();
  }

  private List<GitHubRunners> containers(int pointsPerMinute) {
    InMemoryParameters parameters = new InMemoryParameters()
        .with("/app/id", String.valueOf(github.appId()))
        .with("/app/key", github.appKeys().pkcs1Pem());
    GitHubAppSettings settings = new GitHubAppSettings(github.apiUrl(),
        GitHubAppSettings.webUrlOf(URI.create("https://api.github.com")).toString(),
        List.of(new GitHubAppSettings.App("/app/id", "/app/key")), pointsPerMinute);
    List<GitHubRunners> containers = new ArrayList<>();
    for (int i = 0; i < CONTAINERS; i++) {
      containers.add(GitHubApps.create(settings, parameters, clock,
          GovernorLimits.GITHUB.withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(60)),
          clock.sleeper()));
    }
    return containers;
  }

  @Test
  void containersSharingTheInstallationStayUnderItsLimitAndLoseNoJob() throws Exception {
    long installation = github.install(JitLoad.ORG);
    JitLoad load = new JitLoad(github, clock);
    load.queue(400); // 2,400 points: close to three minutes of the installation's budget

    load.run(containers(900 / CONTAINERS), THREADS, clock.instant().plus(Duration.ofMinutes(8)),
        true);

    assertThat(load.launched()).isEqualTo(400);
    assertThat(load.stillQueued()).isZero();
    assertThat(github.rateLimited()).as("secondary-limit answers").isZero();
    assertThat(github.peakPoints(installation)).isBetween(800, 900);
  }

  @Test
  void containersEachSpendingTheWholeBudgetDrawSecondaryLimitAnswers() throws Exception {
    github.install(JitLoad.ORG);
    JitLoad load = new JitLoad(github, clock);
    load.queue(400);

    load.run(containers(900), THREADS, clock.instant().plus(Duration.ofMinutes(8)), true);

    assertThat(github.rateLimited()).as("secondary-limit answers").isPositive();
    assertThat(load.launched() + load.stillQueued()).isEqualTo(400); // still none lost
  }
}
