package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.github.AppKeys;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.LostAnswer;
import dev.spotrunner.testkit.github.StandInRunner;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link HttpGitHubRunners} and {@link GitHubApp} against the GitHub stand-in over HTTP. */
class HttpGitHubRunnersIT {
  private static final AtomicInteger OWNERS = new AtomicInteger();
  private static GitHubStandIn github;

  @BeforeAll
  static void start() {
    github = GitHubStandIn.start();
  }

  @AfterAll
  static void stop() {
    github.close();
  }

  @AfterEach
  void clearFaults() {
    github.resetCountersAndFaults();
  }

  private static String newOrg() {
    String login = "acme" + OWNERS.incrementAndGet();
    github.install(login);
    return login;
  }

  private static GitHubApp app(URI apiUrl, Clock clock, String privateKeyPem) {
    InMemoryParameters parameters = new InMemoryParameters()
        .with("/spot/github/app-id", String.valueOf(github.appId()))
        .with("/spot/github/app-key", privateKeyPem);
    return GitHubApp.create(
        new GitHubAppSettings(apiUrl, "/spot/github/app-id", "/spot/github/app-key"),
        parameters, clock,
        GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50), Duration.ofSeconds(10)),
        Sleeper.REAL);
  }

  private static HttpGitHubRunners runners() {
    return app(github.apiUrl(), Clock.systemUTC(), github.appKeys().pkcs1Pem()).runners();
  }

  @Test
  void looksUpTheInstallationOnceAndReusesItsToken() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    HttpGitHubRunners runners = runners();

    runners.listRunners(owner);
    runners.listRunners(owner);
    runners.getRunner(owner, 1);

    assertThat(github.calls("get-org-installation")).isEqualTo(1);
    assertThat(github.calls("create-installation-token")).isEqualTo(1);
    assertThat(github.callsByInstallation(github.installation(owner.login()).orElseThrow()))
        .isEqualTo(3);
  }

  @Test
  void findsTheInstallationOfARepositoryAndSharesItWithTheAccount() {
    String login = newOrg();
    HttpGitHubRunners runners = runners();
    github.addJob(login, "api", 71, List.of("self-hosted"));

    assertThat(runners.job(RunnerOwner.repo(login, "api"), 71)).isPresent();
    runners.listRunners(RunnerOwner.org(login));

    assertThat(github.calls("get-repo-installation")).isEqualTo(1);
    assertThat(github.calls("get-org-installation")).isZero();
  }

  @Test
  void skipsTheLookupWhenAWebhookNamedTheInstallation() {
    String login = newOrg();
    HttpGitHubRunners runners = runners();
    runners.knownInstallation(RunnerOwner.org(login), github.installation(login).orElseThrow());

    runners.listRunners(RunnerOwner.org(login));

    assertThat(github.calls("get-org-installation")).isZero();
  }

  @Test
  void refusesAnOwnerWithoutTheAppInstalled() {
    assertThatThrownBy(() -> runners().listRunners(RunnerOwner.org("stranger")))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("not installed");
  }

  @Test
  void issuesRegistrationTokensForOrgsAndReposAndCachesThem() {
    String login = newOrg();
    HttpGitHubRunners runners = runners();

    RegistrationToken org = runners.registrationToken(RunnerOwner.org(login));
    RegistrationToken repo = runners.registrationToken(RunnerOwner.repo(login, "api"));
    RegistrationToken again = runners.registrationToken(RunnerOwner.org(login));

    assertThat(org.token()).isNotBlank().isNotEqualTo(repo.token());
    assertThat(org.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
    assertThat(again).isEqualTo(org);
    assertThat(github.calls("registration-token")).isEqualTo(2);
    StandInRunner registered = github.registerWithToken(org.token(), "boot-1",
        List.of("self-hosted"), true);
    assertThat(registered.ownerPath()).isEqualTo("orgs/" + login);
  }

  @Test
  void createsJitRunnersTheStandInRecognisesWhenTheyStart() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    HttpGitHubRunners runners = runners();

    JitConfig jit = runners.jitConfig(owner,
        new JitRequest("spot-i-0abc", List.of("self-hosted", "linux"), 1, null));

    assertThat(jit.runner().name()).isEqualTo("spot-i-0abc");
    assertThat(jit.runner().online()).isFalse();
    assertThat(jit.runner().labels()).containsExactly("self-hosted", "linux");
    assertThat(jit.toString()).doesNotContain(jit.encodedJitConfig());
    github.startWithJitConfig(jit.encodedJitConfig());
    assertThat(runners.getRunner(owner, jit.runner().id()).orElseThrow().online()).isTrue();
    assertThatThrownBy(() -> runners.jitConfig(owner,
        new JitRequest("spot-i-0abc", List.of("self-hosted"), 1, null)))
        .isInstanceOf(RunnerNameTaken.class).hasMessageContaining("already exists");
  }

  @Test
  void createsJitRunnersForARepository() {
    String login = newOrg();
    RunnerOwner repo = RunnerOwner.repo(login, "api");
    HttpGitHubRunners runners = runners();

    JitConfig jit = runners.jitConfig(repo, new JitRequest("spot-i-1", List.of("self-hosted"),
        runners.runnerGroupId(repo, "Default"), "_work"));

    assertThat(github.runnerByJitConfig(jit.encodedJitConfig()).orElseThrow().ownerPath())
        .isEqualTo("repos/" + login + "/api");
  }

  @Test
  void listsEveryPageOfRunners() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    for (int i = 0; i < 250; i++) {
      github.addRunner(owner.apiPath(), "r-" + i, i % 2 == 0 ? "online" : "offline", i % 5 == 0,
          List.of("self-hosted"));
    }

    List<GitHubRunner> listed = runners().listRunners(owner);

    assertThat(listed).hasSize(250);
    assertThat(listed).extracting(GitHubRunner::name).doesNotHaveDuplicates()
        .contains("r-0", "r-99", "r-100", "r-249");
    assertThat(listed.get(5).busy()).isTrue();
    assertThat(github.calls("list-runners")).isEqualTo(3);
  }

  @Test
  void getsARunnerOrNothingWhenGitHubAnswers404() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    StandInRunner runner = github.addRunner(owner.apiPath(), "r", "online", true,
        List.of("self-hosted", "gpu"));
    HttpGitHubRunners runners = runners();

    GitHubRunner found = runners.getRunner(owner, runner.id()).orElseThrow();

    assertThat(found).isEqualTo(new GitHubRunner(runner.id(), "r", "online", true,
        List.of("self-hosted", "gpu")));
    assertThat(runners.getRunner(owner, 999_999)).isEmpty();
  }

  @Test
  void deletesIdleRunnersAndKeepsBusyOnes() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    StandInRunner idle = github.addRunner(owner.apiPath(), "idle", "online", false, List.of("x"));
    StandInRunner busy = github.addRunner(owner.apiPath(), "busy", "online", true, List.of("x"));
    HttpGitHubRunners runners = runners();

    assertThat(runners.deleteRunner(owner, idle.id())).isEqualTo(DeleteResult.DELETED);
    assertThat(runners.deleteRunner(owner, idle.id())).isEqualTo(DeleteResult.NOT_FOUND);
    assertThat(runners.deleteRunner(owner, busy.id())).isEqualTo(DeleteResult.BUSY);
    assertThat(github.runner(busy.id())).isPresent();
    assertThat(github.runner(idle.id())).isEmpty();
  }

  @Test
  void readsTheRunnerAJobWentTo() {
    String login = newOrg();
    github.addJob(login, "api", 502, List.of("self-hosted"));
    StandInRunner runner = github.addRunner(RunnerOwner.org(login).apiPath(), "dev-i-0abc", "online",
        false, List.of("self-hosted"));

    github.startJob(502, runner);

    WorkflowJob job = runners().job(RunnerOwner.repo(login, "api"), 502).orElseThrow();
    assertThat(job.status()).isEqualTo("in_progress");
    assertThat(job.runnerName()).isEqualTo("dev-i-0abc");
  }

  @Test
  void readsJobsInEveryStatus() {
    String login = newOrg();
    RunnerOwner repo = RunnerOwner.repo(login, "api");
    HttpGitHubRunners runners = runners();
    github.addJob(login, "api", 501, List.of("self-hosted", "linux"));

    WorkflowJob queued = runners.job(repo, 501).orElseThrow();
    github.updateJob(501, "in_progress", null);
    WorkflowJob running = runners.job(repo, 501).orElseThrow();
    github.updateJob(501, "completed", "success");
    WorkflowJob completed = runners.job(repo, 501).orElseThrow();

    assertThat(queued.queued()).isTrue();
    assertThat(queued.labels()).containsExactly("self-hosted", "linux");
    assertThat(queued.createdAt()).isNotNull();
    assertThat(queued.startedAt()).isNull();
    assertThat(running.status()).isEqualTo("in_progress");
    assertThat(running.startedAt()).isNotNull();
    assertThat(queued.runnerName()).isNull();
    assertThat(completed.status()).isEqualTo("completed");
    assertThat(runners.job(repo, 404_404)).isEmpty();
    assertThat(runners.job(RunnerOwner.repo(login, "other"), 501)).isEmpty();
  }

  @Test
  void findsRunnerGroupsByNameAndCachesTheirIds() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    long gpu = github.addRunnerGroup(owner.login(), "GPU runners");
    HttpGitHubRunners runners = runners();

    assertThat(runners.runnerGroupId(owner, "Default")).isEqualTo(1);
    assertThat(runners.runnerGroupId(owner, "gpu RUNNERS")).isEqualTo(gpu);
    assertThat(runners.runnerGroupId(owner, "GPU runners")).isEqualTo(gpu);
    assertThat(github.calls("list-runner-groups")).isEqualTo(2);
    assertThatThrownBy(() -> runners.runnerGroupId(owner, "nope"))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("nope");
    assertThat(runners.runnerGroupId(RunnerOwner.repo(owner.login(), "api"), "Default"))
        .isEqualTo(1);
  }

  @Test
  void worksAgainstAGitHubEnterpriseServerUrl() {
    String login = newOrg();
    HttpGitHubRunners runners =
        app(github.enterpriseApiUrl(), Clock.systemUTC(), github.appKeys().pkcs8Pem()).runners();
    github.addJob(login, "api", 601, List.of("self-hosted"));

    assertThat(runners.job(RunnerOwner.repo(login, "api"), 601)).isPresent();
    JitConfig jit = runners.jitConfig(RunnerOwner.org(login),
        new JitRequest("ghes-1", List.of("self-hosted"), 1, null));
    assertThat(runners.listRunners(RunnerOwner.org(login))).extracting(GitHubRunner::id)
        .containsExactly(jit.runner().id());
  }

  @Test
  void keepsWorkingWhenTheKeyIsRotatedInSsmAndTheOldOneDeletedAtGitHub() {
    try (GitHubStandIn rotating = GitHubStandIn.start()) {
      rotating.install("rot");
      RunnerOwner owner = RunnerOwner.org("rot");
      AppKeys old = rotating.appKeys();
      InMemoryParameters ssm = new InMemoryParameters()
          .with("/rot/id", String.valueOf(rotating.appId())).with("/rot/key", old.pkcs1Pem());
      HttpGitHubRunners runners = GitHubApp.create(
          new GitHubAppSettings(rotating.apiUrl(), "/rot/id", "/rot/key"), ssm, Clock.systemUTC(),
          GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50), Duration.ofSeconds(10)),
          Sleeper.REAL).runners();
      runners.listRunners(owner);

      AppKeys fresh = rotating.rotateKey();   // a second key at GitHub
      ssm.with("/rot/key", fresh.pkcs1Pem()); // put in SSM
      rotating.revokeKey(old);                // the old one deleted at GitHub
      rotating.revokeTokens();                // with the tokens it signed for: the worst case

      assertThat(runners.listRunners(owner)).isEmpty();
      JitConfig jit = runners.jitConfig(owner,
          new JitRequest("rot-1", List.of("self-hosted"), 1, null));
      assertThat(rotating.runnerByJitConfig(jit.encodedJitConfig())).isPresent();
      // the first token, one refused with the old key, one with the new key
      assertThat(rotating.calls("create-installation-token")).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @EnumSource(LostAnswer.class)
  void reportsTheNameTakenWhenAJitAnswerWasLostAndFindsTheGhostByName(LostAnswer how) {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    for (int i = 0; i < 150; i++) {
      github.addRunner(owner.apiPath(), "other-" + i, "online", false, List.of("x"));
    }
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    github.resetCountersAndFaults();
    github.loseNextAnswers("generate-jitconfig", 1, how);

    assertThatThrownBy(() -> runners.jitConfig(owner,
        new JitRequest("dev-i-0aaa", List.of("self-hosted"), 1, null)))
        .isInstanceOf(RunnerNameTaken.class).hasMessageContaining("dev-i-0aaa");
    GitHubRunner ghost = runners.runnerNamed(owner, "dev-i-0aaa").orElseThrow();

    assertThat(ghost.online()).isFalse();
    assertThat(github.calls("generate-jitconfig")).isEqualTo(2);
    assertThat(github.calls("list-runners")).as("one filtered GET, not 2 pages").isEqualTo(1);
    assertThat(runners.runnerNamed(owner, "nobody")).isEmpty();
  }

  @Test
  void reportsAnExpiredAppJwtAsPermanent() {
    Clock lateBy20Minutes = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20));
    HttpGitHubRunners runners =
        app(github.apiUrl(), lateBy20Minutes, github.appKeys().pkcs1Pem()).runners();

    assertThatThrownBy(() -> runners.listRunners(RunnerOwner.org(newOrg())))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("401");
  }

  @Test
  void reportsAWrongAppKeyAsPermanent() {
    HttpGitHubRunners runners =
        app(github.apiUrl(), Clock.systemUTC(), AppKeys.generate().pkcs8Pem()).runners();

    assertThatThrownBy(() -> runners.listRunners(RunnerOwner.org(newOrg())))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("401")
        .hasMessageNotContaining("eyJ");
  }

  @Test
  void replacesARevokedInstallationToken() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    github.revokeTokens();

    runners.listRunners(owner);

    assertThat(github.calls("create-installation-token")).isEqualTo(2);
  }

  @Test
  void waitsOutASecondaryRateLimitAndSucceeds() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    github.secondaryLimitNext(1, 1);
    long started = System.nanoTime();

    assertThat(runners.listRunners(owner)).isEmpty();

    assertThat(github.rateLimited()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(900));
  }

  @Test
  void waitsWhenTheStandInsPointsBudgetIsSpent() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    // two POSTs fit the window that opens with the first one; the third must wait for the next
    github.rateBudget(10, Duration.ofSeconds(3));

    for (int i = 0; i < 5; i++) {
      runners.jitConfig(owner, new JitRequest("budget-" + i, List.of("self-hosted"), 1, null));
    }

    assertThat(github.rateLimited()).isGreaterThanOrEqualTo(1);
    assertThat(github.runners(owner.apiPath())).hasSize(5);
  }

  @Test
  void retriesServerErrors() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    StandInRunner runner = github.addRunner(owner.apiPath(), "r", "online", false, List.of("x"));
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    github.failNext(2, 502);

    assertThat(runners.getRunner(owner, runner.id())).isPresent();
    assertThat(github.calls("get-runner")).isEqualTo(3);
  }

  @Test
  void givesUpOnPersistentServerErrors() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    StandInRunner runner = github.addRunner(owner.apiPath(), "r", "online", false, List.of("x"));
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    github.failNext(8, 503);

    assertThat(runners.deleteRunner(owner, runner.id())).isEqualTo(DeleteResult.FAILED);
    assertThatThrownBy(() -> runners.listRunners(owner)).isInstanceOf(TransientFailure.class)
        .hasMessageContaining("503");
    assertThat(github.runner(runner.id())).isPresent();
  }

  @Test
  void tellsHowManyPointsAreLeftThisMinute() {
    RunnerOwner owner = RunnerOwner.org(newOrg());
    HttpGitHubRunners runners = runners();
    runners.listRunners(owner);
    runners.registrationToken(owner);

    assertThat(runners.pointsLeft(owner)).isEqualTo(900 - 1 - 5);
  }

  @Test
  void readsItsSettingsFromTheEnvironment() {
    InMemoryParameters parameters = new InMemoryParameters()
        .with("/p/id", String.valueOf(github.appId()))
        .with("/p/key", AppKeys.base64(github.appKeys().pkcs1Pem()));
    GitHubApp app = GitHubApp.fromEnv(new dev.spotrunner.common.config.Env(java.util.Map.of(
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", "/p/id",
        "GITHUB_APP_KEY_PARAM", "/p/key")), parameters, Clock.systemUTC().withZone(ZoneOffset.UTC));
    RunnerOwner owner = RunnerOwner.org(newOrg());

    assertThat(app.runners().listRunners(owner)).isEmpty();
    assertThat(app.apiUrl()).isEqualTo(github.apiUrl());
  }
}
