package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Runs scale-up's hot path before a SnapStart snapshot: SQS records parsed, the pool listed, a
 * CreateFleet launched, runner configs stored, instances tagged, a recheck decided — through the
 * real {@link ScaleUp}, {@link RunnerLauncher}, {@link Ec2RunnerFleet} and {@link SsmParameters} on
 * SDK clients of their own whose HTTP client is {@link CannedAws}. No network, no GitHub (a stand-in
 * answers), made-up credentials; nothing of it is kept.
 */
final class Priming {
  static final int ROUNDS = 30;
  private static final RunnerOwner OWNER = RunnerOwner.org("priming");

  /** What a priming did: batches run, instances "launched", calls the canned AWS answered. */
  record Result(int batches, int launched, Map<String, Integer> awsCalls, int rechecks) {}

  private Priming() {}

  static Result run(int rounds) {
    Clock clock = Clock.systemUTC();
    CannedAws http = new CannedAws();
    StaticCredentialsProvider nobody = StaticCredentialsProvider.create(
        AwsBasicCredentials.create("AKIDPRIMINGONLY", "priming-only"));
    AtomicInteger rechecks = new AtomicInteger();
    int launched = 0;
    try (Ec2Client ec2 = Ec2Client.builder().region(Region.US_EAST_1).credentialsProvider(nobody)
            .httpClient(http).build();
        SsmClient ssm = SsmClient.builder().region(Region.US_EAST_1).credentialsProvider(nobody)
            .httpClient(http).build()) {
      ScaleUpSettings settings = ScaleUpSettings.fromEnv(environment());
      GitHubRunners github = new StandIn();
      Ec2RunnerFleet fleet = new Ec2RunnerFleet(ec2);
      SsmParameters parameters = new SsmParameters(ssm, clock, Duration.ZERO);
      RunnerLauncher launcher = new RunnerLauncher(settings.pool(), fleet, github, parameters,
          new RunnerConfigs(settings.pool(), github, clock));
      ScaleUp scaleUp = new ScaleUp(settings, fleet, github, launcher,
          (job, recheck, delay) -> rechecks.incrementAndGet(), clock);
      for (int round = 0; round < rounds; round++) {
        launched += scaleUp.run(batch(round, clock.instant())).launched();
      }
    }
    return new Result(rounds, launched, http.calls(), rechecks.get());
  }

  /** Two fresh jobs and a recheck, parsed from their JSON as the handler does. */
  private static List<QueuedMessage> batch(int round, Instant now) {
    List<QueuedMessage> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long id = 1_000_000L + round * 3L + i;
      JobMessage job = new JobMessage(id, 2_000_000L + round, "priming/priming", "priming",
          "Organization", 1L, List.of("self-hosted", "linux", "x64"), "priming",
          "priming-" + id, now);
      batch.add(QueuedMessage.parse("priming-" + id, job.toJson(), "1", i == 2 ? "1" : null));
    }
    return batch;
  }

  private static Map<String, String> environment() {
    return Map.ofEntries(
        Map.entry("ENVIRONMENT", "priming"),
        Map.entry("POOL_NAME", "priming"),
        Map.entry("POOL_LABELS", "self-hosted,linux,x64"),
        Map.entry("LAUNCH_TEMPLATE_NAME", "priming"),
        Map.entry("INSTANCE_TYPES", "m7a.large,m6a.large"),
        Map.entry("SUBNET_IDS", "subnet-00000000000000000,subnet-00000000000000001"),
        Map.entry("MAX_RUNNERS", "1000"),
        Map.entry("GITHUB_APP_ID_PARAM", "/priming/app-id"),
        Map.entry("GITHUB_APP_KEY_PARAM", "/priming/app-key"),
        Map.entry("JOB_RECHECK_SECONDS", "300"),
        Map.entry("QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/priming"));
  }

  /** GitHub as priming needs it: every job still queued, a JIT config for every runner. */
  private static final class StandIn implements GitHubRunners {
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public void knownInstallation(RunnerOwner owner, long installationId) {
      // nothing to remember
    }

    @Override
    public RegistrationToken registrationToken(RunnerOwner owner) {
      return new RegistrationToken("priming", Instant.now().plus(Duration.ofHours(1)));
    }

    @Override
    public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
      GitHubRunner runner = new GitHubRunner(ids.incrementAndGet(), request.name(), "offline", false,
          request.labels());
      return new JitConfig(runner, "cHJpbWluZw==");
    }

    @Override
    public List<GitHubRunner> listRunners(RunnerOwner owner) {
      return List.of();
    }

    @Override
    public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
      return Optional.empty();
    }

    @Override
    public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
      return DeleteResult.DELETED;
    }

    @Override
    public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
      return Optional.of(new WorkflowJob(jobId, 1L, "queued", List.of("self-hosted"),
          Instant.now(), null));
    }

    @Override
    public long runnerGroupId(RunnerOwner owner, String groupName) {
      return 1L;
    }
  }
}
