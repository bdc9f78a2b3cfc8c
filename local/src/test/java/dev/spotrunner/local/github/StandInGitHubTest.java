package dev.spotrunner.local.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.local.agent.GitHubSide;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner's side of the stand-in, with scale-up's side over real HTTP as a GitHub App: JIT
 * config in, job out, GitHub's view of the runner and the job events the webhooks are made of.
 */
class StandInGitHubTest {
  static final RunnerOwner ACME = RunnerOwner.org("acme");
  StandInGitHub github;
  GitHubRunners api;
  final List<JobEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    github = StandInGitHub.start();
    github.install("acme");
    github.onJobChanged(events::add);
    InMemoryParameters parameters = new InMemoryParameters()
        .with("/app/id", Long.toString(github.appId()))
        .with("/app/key", github.appPrivateKeyPem());
    api = GitHubApp.create(new GitHubAppSettings(github.apiUrl(), "/app/id", "/app/key"), parameters,
        Clock.systemUTC(), GovernorLimits.GITHUB, Sleeper.REAL).runners();
  }

  @AfterEach
  void stop() {
    github.close();
  }

  JitConfig jit(String name, List<String> labels) {
    return api.jitConfig(ACME, new JitRequest(name, labels, 1, null));
  }

  @Test
  void aJitRunnerTakesAMatchingJobIsBusyWhileItRunsAndIsGoneAfterIt() {
    long job = github.queueJob("acme/api", List.of("self-hosted", "linux"), Duration.ofSeconds(7));
    JitConfig config = jit("local-i-0001", List.of("self-hosted", "linux", "x64"));

    long runnerId = github.registerJit(config.encodedJitConfig());
    Optional<GitHubSide.AssignedJob> taken = github.takeJob(runnerId);

    assertThat(runnerId).isEqualTo(config.runner().id());
    assertThat(taken).get().extracting(GitHubSide.AssignedJob::jobId).isEqualTo(job);
    assertThat(taken.get().runTime()).isEqualTo(Duration.ofSeconds(7));
    assertThat(api.getRunner(ACME, runnerId)).get().satisfies(r -> assertThat(r.busy()).isTrue());
    assertThat(api.job(RunnerOwner.repo("acme", "api"), job)).get()
        .satisfies(j -> assertThat(j.status()).isEqualTo("in_progress"));

    github.completeJob(runnerId, job, "success");

    assertThat(github.runnerExists(runnerId)).isFalse();
    assertThat(events).extracting(JobEvent::action).containsExactly("queued", "in_progress", "completed");
    assertThat(events.get(1).runnerId()).isEqualTo(runnerId);
    assertThat(events.get(1).runnerName()).isEqualTo("local-i-0001");
    assertThat(events.getFirst().installationId()).isPositive();
  }

  @Test
  void aRunnerDoesNotTakeAJobWithALabelItLacks() {
    github.queueJob("acme/api", List.of("self-hosted", "gpu"), Duration.ofSeconds(1));
    long runnerId = github.registerJit(jit("local-i-0002", List.of("self-hosted", "linux")).encodedJitConfig());

    assertThat(github.takeJob(runnerId)).isEmpty();
  }

  @Test
  void aPersistentRunnerRegisteredWithATokenStaysIdleAfterItsJob() {
    String token = api.registrationToken(ACME).token();
    long job = github.queueJob("acme/web", List.of("big"), Duration.ofSeconds(1));

    long runnerId = github.registerWithToken("https://github.com/acme", token, "local-i-0003",
        List.of("self-hosted", "big"), false);
    github.takeJob(runnerId);
    github.completeJob(runnerId, job, "success");

    assertThat(api.getRunner(ACME, runnerId)).get().satisfies(r -> {
      assertThat(r.busy()).isFalse();
      assertThat(r.online()).isTrue();
    });
  }

  @Test
  void aStoppedRunnerShowsOffline() {
    long runnerId = github.registerJit(jit("local-i-0004", List.of("linux")).encodedJitConfig());

    github.runnerStopped(runnerId);

    assertThat(api.getRunner(ACME, runnerId)).get().satisfies(r -> assertThat(r.online()).isFalse());
  }
}
