package dev.spotrunner.runners.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaleup.MotoWorld;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.github.AppKeys;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.LostAnswer;
import dev.spotrunner.testkit.github.StandInRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * The launcher with the real adapters — EC2 and SSM on moto, the GitHub App over HTTP against the
 * stand-in — while GitHub misbehaves the way it does in production: the App key rotated mid-run,
 * a JIT answer lost after GitHub registered the runner.
 */
@ExtendWith(AwsEmulatorExtension.class)
class GitHubResilienceIT {
  private static final AtomicLong JOBS = new AtomicLong(7000);
  private static final RunnerOwner ACME = RunnerOwner.org("acme");
  private static String subnet;

  private GitHubStandIn github;
  private long installation;
  private RunnerLauncher launcher;
  private Ec2RunnerFleet fleet;

  @BeforeAll
  static void world(Ec2Client ec2) {
    subnet = MotoWorld.subnet(ec2);
    MotoWorld.launchTemplate(ec2, "it-linux");
  }

  @BeforeEach
  void start(AwsClients aws, SsmClient ssm) {
    github = GitHubStandIn.start();
    installation = github.install("acme");
    ssm.putParameter(b -> b.name("/res/app/id").value(Long.toString(github.appId()))
        .type(ParameterType.STRING).overwrite(true));
    putKey(ssm, github.appKeys());
    Map<String, String> env = new HashMap<>(Map.of(
        "ENVIRONMENT", "res", "POOL_NAME", "linux", "POOL_LABELS", "self-hosted,linux",
        "LAUNCH_TEMPLATE_NAME", "it-linux", "INSTANCE_TYPES", "m7a.large", "SUBNET_IDS", subnet,
        "GITHUB_API_URL", github.apiUrl().toString(), "GITHUB_APP_ID_PARAM", "/res/app/id",
        "GITHUB_APP_KEY_PARAM", "/res/app/key"));
    PoolSettings pool = PoolSettings.fromEnv(env);
    // as deployed: SSM values cached for SsmParameters' default 5 minutes
    SsmParameters parameters = new SsmParameters(aws.ssm(), Clock.systemUTC());
    var runners = GitHubApp.create(pool.github(), parameters, Clock.systemUTC(),
        GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50), Duration.ofSeconds(10)),
        Sleeper.REAL).runners();
    fleet = new Ec2RunnerFleet(aws.ec2());
    launcher = new RunnerLauncher(pool, fleet, runners, parameters,
        new RunnerConfigs(pool, runners, Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private static void putKey(SsmClient ssm, AppKeys key) {
    // Advanced: a PEM fits Standard, but the parameter's tier must not be what this test is about
    ssm.putParameter(b -> b.name("/res/app/key").value(key.pkcs1Pem())
        .type(ParameterType.SECURE_STRING).tier(ParameterTier.ADVANCED).overwrite(true));
  }

  private LaunchResult launchJobs(int count) {
    List<RunnerSlot> slots = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long job = JOBS.incrementAndGet();
      github.addJob("acme", "api", job, List.of("self-hosted", "linux"));
      slots.add(RunnerSlot.forJob(dev.spotrunner.common.job.JobId.of(job), "acme/api"));
    }
    return launcher.launch(new LaunchRequest(ACME, "Organization", slots, "1"));
  }

  private void assertEveryJobGotARunner(LaunchResult result, int count) {
    assertEquals(List.of(), result.failed());
    assertEquals(count, result.launched().size());
    for (LaunchResult.Launched launched : result.launched()) {
      RunnerInstance instance = fleet.list(Map.of(Tags.JOB_ID,
          launched.slot().jobId().toString())).get(0);
      assertEquals(launched.runnerName(), instance.tag(Tags.RUNNER_NAME));
      assertTrue(github.runner(Long.parseLong(instance.tag(Tags.RUNNER_ID))).isPresent());
    }
  }

  @Test
  void jobsKeepGettingRunnersWhileTheAppKeyIsRotated(SsmClient ssm) {
    AppKeys old = github.appKeys();
    assertEveryJobGotARunner(launchJobs(3), 3);

    AppKeys fresh = github.rotateKey();          // 1. a second key generated in the App
    assertEveryJobGotARunner(launchJobs(2), 2);
    putKey(ssm, fresh);                          // 2. the new key put in SSM
    assertEveryJobGotARunner(launchJobs(2), 2);
    github.revokeKey(old);                       // 3. the old key deleted in the App
    github.revokeTokens();                       //    and, at worst, the tokens it signed for

    assertEveryJobGotARunner(launchJobs(3), 3);
    assertEveryJobGotARunner(launchJobs(3), 3);
    assertEquals(List.of(fresh), github.acceptedKeys());
  }

  @ParameterizedTest
  @EnumSource(LostAnswer.class)
  void aJobWhoseJitAnswerWasLostGetsARunnerAndLeavesNoGhost(LostAnswer how) {
    launchJobs(1); // the installation, its token and the runner group are known from here on
    int before = github.pointsUsed(installation);
    github.loseNextAnswers("generate-jitconfig", 1, how);

    LaunchResult result = launchJobs(1);

    assertEveryJobGotARunner(result, 1);
    InstanceId instance = result.launched().get(0).instance();
    assertEquals("res-" + instance + "-2", result.launched().get(0).runnerName());
    List<StandInRunner> named = github.runners("orgs/acme").stream()
        .filter(r -> r.name().contains(instance.value())).toList();
    assertEquals(List.of("res-" + instance + "-2"), named.stream().map(StandInRunner::name).toList(),
        "the ghost was removed");
    // lost POST 5 + the adapter's retry met by 409 5 + GET ?name= 1 + DELETE 5 + POST 5
    assertEquals(21, github.pointsUsed(installation) - before);
  }

  @Test
  void aJitRunnerCostsFivePointsOfTheInstallationsBudget() {
    launchJobs(1);
    int before = github.pointsUsed(installation);

    assertEveryJobGotARunner(launchJobs(10), 10);

    assertEquals(10 * 5, github.pointsUsed(installation) - before);
    assertEquals(11, github.calls("generate-jitconfig"));
  }
}
