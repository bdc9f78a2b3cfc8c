package dev.spotrunner.runners.bench;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.scaleup.MotoWorld;
import dev.spotrunner.runners.scaleup.ScaleUpBench;
import dev.spotrunner.runners.scaleup.ScaleUpSettings;
import dev.spotrunner.runners.scaleup.Wiring;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.MotoServer;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import dev.spotrunner.testkit.github.GitHubStandIn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Scale-up's speed and GitHub budget against moto_server and the GitHub stand-in over HTTP
 * (docs/scale-up.md, "Benchmark"). Run:
 *
 * <pre>{@code ./mvnw -B -q -pl runners -am test -DskipTests -Pbench [-Dbench.phases=calls,wall,bulk]
 *     [-Dbench.jobs=500] [-Dbench.bulkOnMoto=true]}</pre>
 *
 * <p>The 500-job phase runs EC2 and SSM in memory by default, so it measures what it is about:
 * scale-up against GitHub's secondary limit over HTTP; {@code bench.bulkOnMoto} puts it on moto.
 */
public final class ScaleUpBenchmark {
  private final GitHubStandIn github;
  private final MotoServer moto;
  private final AwsClients aws;
  private final Timed timed = new Timed();
  private String subnet;
  private long nextJob = 1;

  private ScaleUpBenchmark(GitHubStandIn github, MotoServer moto, AwsClients aws) {
    this.github = github;
    this.moto = moto;
    this.aws = aws;
  }

  /** A fresh moto account per phase: moto filters DescribeInstances over every instance it holds. */
  private void world() {
    moto.reset();
    subnet = MotoWorld.subnet(aws.ec2());
    MotoWorld.launchTemplate(aws.ec2(), "bench-linux");
    aws.ssm().putParameter(b -> b.name("/bench/app/id").value(Long.toString(github.appId()))
        .type(ParameterType.STRING));
    aws.ssm().putParameter(b -> b.name("/bench/app/key").value(github.appKeys().pkcs1Pem())
        .type(ParameterType.SECURE_STRING));
  }

  /** Scale-up as the Lambda wires it, over moto (or in-memory EC2 and SSM), every port timed. */
  private ScaleUpBench.Handler handler(ScaleUpSettings settings, boolean moto) {
    Clock clock = Clock.systemUTC();
    Parameters parameters = new SsmParameters(aws.ssm(), clock);
    RunnerFleet fleet = moto ? new Ec2RunnerFleet(aws.ec2()) : new InMemoryRunnerFleet(clock);
    Parameters configs = moto ? parameters : new InMemoryParameters();
    GitHubRunners gitHub = Wiring.github(settings.pool(), parameters, clock, GovernorLimits.GITHUB);
    return ScaleUpBench.handler(Wiring.scaleUp(settings,
        timed.wrap(RunnerFleet.class, fleet, "ec2"),
        timed.wrap(Parameters.class, configs, "ssm"),
        timed.wrap(GitHubRunners.class, gitHub, "github"), clock));
  }

  public static void main(String[] args) {
    int bulkJobs = Integer.getInteger("bench.jobs", 500);
    try (MotoServer moto = MotoServer.start();
        GitHubStandIn github = GitHubStandIn.start();
        AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), Region.of("us-east-1"),
            AwsEmulatorExtension.credentials())) {
      ScaleUpBenchmark bench = new ScaleUpBenchmark(github, moto, aws);
      Set<String> phases = Set.of(System.getProperty("bench.phases", "calls,wall,bulk").split(","));
      if (phases.contains("calls")) {
        bench.callsPerJob("calls-jit", "acme-jit", true, 100);
        bench.callsPerJob("calls-persistent", "acme-persistent", false, 100);
      }
      if (phases.contains("wall")) {
        bench.batchWallTime(15);
      }
      if (phases.contains("bulk")) {
        bench.throughput(bulkJobs, Boolean.getBoolean("bench.bulkOnMoto"));
      }
    }
  }

  private ScaleUpSettings settings(String pool, boolean ephemeral, int max) {
    Map<String, String> env = new HashMap<>(Map.ofEntries(
        Map.entry("ENVIRONMENT", "bench"), Map.entry("POOL_NAME", pool),
        Map.entry("POOL_LABELS", "self-hosted,linux"),
        Map.entry("LAUNCH_TEMPLATE_NAME", "bench-linux"),
        Map.entry("INSTANCE_TYPES", "m7a.large,m6i.large"), Map.entry("SUBNET_IDS", subnet),
        Map.entry("MAX_RUNNERS", Integer.toString(max)),
        Map.entry("GITHUB_API_URL", github.apiUrl().toString()),
        Map.entry("GITHUB_APP_ID_PARAM", "/bench/app/id"),
        Map.entry("GITHUB_APP_KEY_PARAM", "/bench/app/key")));
    env.put("EPHEMERAL", Boolean.toString(ephemeral));
    return ScaleUpSettings.fromEnv(env);
  }

  private List<JobMessage> jobs(String pool, String org, long installation, int count) {
    List<JobMessage> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long id = nextJob++;
      github.addJob(org, "api", id, List.of("self-hosted", "linux"));
      jobs.add(new JobMessage(id, 1, org + "/api", org, "Organization", installation,
          List.of("self-hosted", "linux"), pool, "d-" + id, Instant.now()));
    }
    return jobs;
  }

  private static SQSEvent event(List<JobMessage> jobs, Map<Long, Integer> receives) {
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (JobMessage job : jobs) {
      SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
      message.setMessageId(job.jobId().toString());
      message.setBody(job.toJson());
      int receive = receives.merge(job.jobId().value(), 1, Integer::sum);
      message.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receive)));
      records.add(message);
    }
    SQSEvent event = new SQSEvent();
    event.setRecords(records);
    return event;
  }

  private int launched(String pool) {
    return new Ec2RunnerFleet(aws.ec2()).list(Map.of(Tags.ENVIRONMENT, "bench", Tags.POOL, pool))
        .size();
  }

  /**
   * Untimed, between batches: the batch's runners finish their jobs and their instances go, so
   * the pool holds at most one batch. moto serialises every instance DescribeInstances returns
   * (about 7 ms each on the loaded build machine); EC2 does not grow that way.
   */
  private void finishJobs(String pool) {
    Ec2RunnerFleet fleet = new Ec2RunnerFleet(aws.ec2());
    fleet.terminate(fleet.list(Map.of(Tags.ENVIRONMENT, "bench", Tags.POOL, pool)).stream()
        .map(dev.spotrunner.common.fleet.RunnerInstance::id).toList());
  }

  /** GitHub calls (all, app JWT calls included) per job over {@code jobs} jobs in batches of 10. */
  private void callsPerJob(String pool, String org, boolean ephemeral, int jobs) {
    world();
    long installation = github.install(org);
    ScaleUpBench.Handler handler = handler(settings(pool, ephemeral, jobs + 10), true);
    Map<Long, Integer> receives = new HashMap<>();
    int before = github.callsByInstallation(installation) + github.callsByApp();
    int afterFirst = 0;
    for (int batch = 0; batch < jobs / 10; batch++) {
      SQSBatchResponse response = handler.handle(event(jobs(pool, org, installation, 10), receives));
      require(response.getBatchItemFailures().isEmpty(), "no job retried");
      if (batch == 0) {
        afterFirst = github.callsByInstallation(installation) + github.callsByApp();
      }
    }
    int total = github.callsByInstallation(installation) + github.callsByApp() - before;
    int steady = github.callsByInstallation(installation) + github.callsByApp() - afterFirst;
    require(launched(pool) == jobs, "every job launched");
    System.out.printf(Locale.ROOT,
        "%s: %d jobs, %d GitHub calls = %.3f per job (%.3f after the first batch's token,"
            + " installation and group look-ups)%n",
        ephemeral ? "JIT" : "persistent", jobs, total, (double) total / jobs,
        (double) steady / (jobs - 10));
  }

  /** Wall time of one 10-job JIT batch, after a warm-up batch. */
  private void batchWallTime(int batches) {
    world();
    long installation = github.install("acme-wall");
    ScaleUpBench.Handler handler = handler(settings("wall", true, batches * 10 + 20), true);
    Map<Long, Integer> receives = new HashMap<>();
    handler.handle(event(jobs("wall", "acme-wall", installation, 10), receives));
    finishJobs("wall");
    timed.reset();
    Histogram millis = new Histogram(60_000, 3);
    for (int i = 0; i < batches; i++) {
      SQSEvent event = event(jobs("wall", "acme-wall", installation, 10), receives);
      long start = System.nanoTime();
      SQSBatchResponse response = handler.handle(event);
      millis.recordValue(Duration.ofNanos(System.nanoTime() - start).toMillis());
      require(response.getBatchItemFailures().isEmpty(), "no job retried");
      finishJobs("wall");
    }
    System.out.printf(Locale.ROOT,
        "10-job JIT batch (moto + stand-in, after warm-up, %d batches): p50 %d ms, p90 %d ms,"
            + " max %d ms%n",
        batches, millis.getValueAtPercentile(50), millis.getValueAtPercentile(90),
        millis.getMaxValue());
    System.out.print("  per call (10 runners' calls run in parallel after CreateFleet):\n"
        + timed.report());
  }

  /**
   * {@code count} queued JIT jobs, the stand-in enforcing 900 points a minute, one scale-up
   * function taking batches of 10 one after another (reserved concurrency 1), retried messages
   * coming back at the end of the queue.
   */
  private void throughput(int count, boolean onMoto) {
    world();
    github.resetCountersAndFaults();
    github.rateBudget(900, Duration.ofMinutes(1));
    long installation = github.install("acme-bulk");
    ScaleUpBench.Handler handler = handler(settings("bulk", true, count + 10), onMoto);
    timed.reset();
    Deque<JobMessage> queue = new ArrayDeque<>(jobs("bulk", "acme-bulk", installation, count));
    Map<Long, Integer> receives = new HashMap<>();
    Map<Long, Instant> launchedAt = new HashMap<>();
    Instant start = Instant.now();
    int invocations = 0;
    while (!queue.isEmpty()) {
      List<JobMessage> batch = new ArrayList<>();
      while (batch.size() < 10 && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
      SQSBatchResponse response = handler.handle(event(batch, receives));
      invocations++;
      Set<String> failed = response.getBatchItemFailures().stream()
          .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
      Instant now = Instant.now();
      for (JobMessage job : batch) {
        if (failed.contains(job.jobId().toString())) {
          queue.add(job);
        } else {
          launchedAt.put(job.jobId().value(), now);
        }
      }
    }
    Duration elapsed = Duration.between(start, Instant.now());
    long firstMinute = launchedAt.values().stream()
        .filter(t -> t.isBefore(start.plusSeconds(60))).count();
    double minutes = elapsed.toMillis() / 60_000.0;
    int retries = receives.values().stream().mapToInt(r -> r - 1).sum();
    require(launchedAt.size() == count, "every job launched");
    if (onMoto) {
      require(launched("bulk") == count, "every job has an instance");
    }
    System.out.printf(Locale.ROOT,
        "%d JIT jobs at 900 points/min (EC2 + SSM: %s): %.1f s, %.1f runners/min overall, %d in the first minute;"
            + " %d invocations, %d retried deliveries, %d GitHub calls (%.3f per job),"
            + " %d secondary-limit answers%n",
        count, onMoto ? "moto" : "in memory", elapsed.toMillis() / 1000.0, count / minutes, firstMinute, invocations, retries,
        github.callsByInstallation(installation) + github.callsByApp(),
        (double) (github.callsByInstallation(installation) + github.callsByApp()) / count,
        github.rateLimited());
    System.out.print(timed.report());
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("benchmark invariant broken: " + what);
    }
  }
}
