package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.FaultProxy;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInRunner;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Scale-up against moto (EC2, SSM) and the GitHub stand-in over HTTP, driven as Lambda drives it. */
@ExtendWith(AwsEmulatorExtension.class)
class ScaleUpIT {
  private static GitHubStandIn github;
  private static String subnet;
  private static long installation;
  private static long nextJob = 1000;

  @BeforeAll
  static void world(Ec2Client ec2, SsmClient ssm) {
    github = GitHubStandIn.start();
    installation = github.install("acme");
    subnet = MotoWorld.subnet(ec2);
    MotoWorld.launchTemplate(ec2, "it-linux");
    ssm.putParameter(b -> b.name("/it/app/id").value(Long.toString(github.appId()))
        .type(ParameterType.STRING));
    ssm.putParameter(b -> b.name("/it/app/key").value(github.appKeys().pkcs1Pem())
        .type(ParameterType.SECURE_STRING));
  }

  @AfterAll
  static void stop() {
    github.close();
  }

  private static ScaleUpSettings settings(String pool) {
    return settings(pool, Map.of());
  }

  private static ScaleUpSettings settings(String pool, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.putAll(Map.ofEntries(
        Map.entry("ENVIRONMENT", "it"), Map.entry("POOL_NAME", pool),
        Map.entry("POOL_LABELS", "self-hosted,linux"), Map.entry("LAUNCH_TEMPLATE_NAME", "it-linux"),
        Map.entry("INSTANCE_TYPES", "m7a.large,m6i.large"), Map.entry("SUBNET_IDS", subnet),
        Map.entry("MAX_RUNNERS", "30"), Map.entry("GITHUB_API_URL", github.apiUrl().toString()),
        Map.entry("GITHUB_APP_ID_PARAM", "/it/app/id"),
        Map.entry("GITHUB_APP_KEY_PARAM", "/it/app/key")));
    return ScaleUpSettings.fromEnv(env);
  }

  private static List<JobMessage> jobs(String pool, int count) {
    List<JobMessage> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long id = nextJob++;
      github.addJob("acme", "api", id, List.of("self-hosted", "linux"));
      jobs.add(new JobMessage(id, 77, "acme/api", "acme", "Organization", installation,
          List.of("self-hosted", "linux"), pool, "delivery-" + id, Instant.now()));
    }
    return jobs;
  }

  static SQSEvent event(List<JobMessage> jobs, int receiveCount) {
    List<SQSEvent.SQSMessage> records = new ArrayList<>();
    for (JobMessage job : jobs) {
      SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
      message.setMessageId("msg-" + job.jobId());
      message.setBody(job.toJson());
      message.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
      records.add(message);
    }
    SQSEvent event = new SQSEvent();
    event.setRecords(records);
    return event;
  }

  private static List<RunnerInstance> instances(AwsClients aws, String pool) {
    return new Ec2RunnerFleet(aws.ec2()).list(Map.of(Tags.ENVIRONMENT, "it", Tags.POOL, pool));
  }

  @Test
  void launchesTaggedInstancesWithTheJitConfigsTheStandInIssued(AwsClients aws, SsmClient ssm) {
    ScaleUpHandler handler =
        new ScaleUpHandler(Wiring.scaleUp(settings("jit"), aws, Clock.systemUTC()));
    List<JobMessage> batch = jobs("jit", 10);

    SQSBatchResponse response = handler.handleRequest(event(batch, 1), null);

    assertEquals(List.of(), response.getBatchItemFailures());
    List<RunnerInstance> launched = instances(aws, "jit");
    assertEquals(10, launched.size());
    for (RunnerInstance instance : launched) {
      assertEquals("acme", instance.tag(Tags.OWNER));
      assertEquals("Organization", instance.tag(Tags.OWNER_TYPE));
      assertEquals(CapacityType.SPOT, instance.capacityType());
      String runnerName = "it-" + instance.id();
      assertEquals(runnerName, instance.tag(Tags.RUNNER_NAME));
      String stored = ssm.getParameter(b -> b.name("/it/runners/jit/" + instance.id())
          .withDecryption(true)).parameter().value();
      Map<?, ?> config = Json.read(stored, Map.class);
      assertEquals("jit", config.get("mode"));
      Optional<StandInRunner> runner = github.runnerByJitConfig((String) config.get("jitConfig"));
      assertTrue(runner.isPresent(), "the stand-in issued this JIT config");
      assertEquals(runnerName, runner.get().name());
      assertEquals(Long.toString(runner.get().id()), instance.tag(Tags.RUNNER_ID));
    }
    assertEquals(batch.stream().map(j -> j.jobId().toString()).sorted().toList(),
        launched.stream().map(i -> i.tag(Tags.JOB_ID)).sorted().toList());
  }

  @Test
  void givesPersistentRunnersARegistrationTokenTheStandInAccepts(AwsClients aws, SsmClient ssm) {
    ScaleUpHandler handler = new ScaleUpHandler(Wiring.scaleUp(
        settings("persistent", Map.of("EPHEMERAL", "false")), aws, Clock.systemUTC()));

    SQSBatchResponse response = handler.handleRequest(event(jobs("persistent", 3), 1), null);

    assertEquals(List.of(), response.getBatchItemFailures());
    List<RunnerInstance> launched = instances(aws, "persistent");
    assertEquals(3, launched.size());
    for (RunnerInstance instance : launched) {
      Map<?, ?> config = Json.read(ssm.getParameter(b -> b.name("/it/runners/persistent/"
          + instance.id()).withDecryption(true)).parameter().value(), Map.class);
      assertEquals("registration", config.get("mode"));
      assertEquals(false, config.get("ephemeral"));
      assertEquals("self-hosted,linux", config.get("labels"));
      assertTrue(((String) config.get("url")).endsWith("/acme"));
      StandInRunner runner = github.registerWithToken((String) config.get("token"),
          (String) config.get("runnerName"), List.of("self-hosted", "linux"), false);
      assertEquals("it-" + instance.id(), runner.name());
    }
    assertEquals(1, github.calls("registration-token"), "one token for the three runners");
  }

  @Test
  void launchesOnDemandWhenSpotHasNoCapacity(AwsClients aws) {
    try (FaultProxy proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
        AwsClients viaProxy = AwsEmulatorExtension.clients(proxy.endpoint(), 1)) {
      proxy.noSpotCapacity(1);
      ScaleUpHandler handler =
          new ScaleUpHandler(Wiring.scaleUp(settings("ice"), viaProxy, Clock.systemUTC()));

      SQSBatchResponse response = handler.handleRequest(event(jobs("ice", 4), 1), null);

      assertEquals(List.of(), response.getBatchItemFailures());
      assertEquals(2, proxy.calls("CreateFleet"), "spot, then on-demand for the whole shortfall");
      List<RunnerInstance> launched = instances(aws, "ice");
      assertEquals(4, launched.size());
      assertTrue(launched.stream().allMatch(i -> i.capacityType() == CapacityType.ON_DEMAND));
    }
  }

  @Test
  void launchesOneInstancePerJobWhenEveryMessageArrivesThreeTimes(AwsClients aws) {
    ScaleUpHandler handler =
        new ScaleUpHandler(Wiring.scaleUp(settings("redelivery"), aws, Clock.systemUTC()));
    List<JobMessage> batch = jobs("redelivery", 5);

    for (int receive = 1; receive <= 3; receive++) {
      SQSBatchResponse response = handler.handleRequest(event(batch, receive), null);
      assertEquals(List.of(), response.getBatchItemFailures());
    }

    assertEquals(5, instances(aws, "redelivery").size());
  }

  @Test
  void retriesTheBatchWhileGitHubFails(AwsClients aws) {
    ScaleUpHandler handler =
        new ScaleUpHandler(Wiring.scaleUp(settings("flaky"), aws, Clock.systemUTC()));
    List<JobMessage> batch = jobs("flaky", 2);
    handler.handleRequest(event(jobs("flaky", 1), 1), null); // warms the installation token
    github.failNext(100, 503);

    SQSBatchResponse response;
    try {
      response = handler.handleRequest(event(batch, 1), null);
    } finally {
      github.resetCountersAndFaults();
    }

    assertEquals(2, response.getBatchItemFailures().size());
    assertEquals(1, instances(aws, "flaky").size(), "no instance without a config");
  }
}
