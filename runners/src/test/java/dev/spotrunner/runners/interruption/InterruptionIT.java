package dev.spotrunner.runners.interruption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.breaker.BreakerKeys;
import dev.spotrunner.runners.breaker.BreakerStore;
import dev.spotrunner.runners.breaker.SpotBreaker.Phase;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInJob;
import dev.spotrunner.testkit.github.StandInReruns;
import dev.spotrunner.testkit.github.StandInRunner;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * EventBridge-shaped events through the handler, with instances, tags and SSM on moto and the
 * GitHub stand-in over HTTP: an idle runner is deregistered at the warning, a busy one left to its
 * job, the failed job re-run once its instance is gone, the runner left behind removed.
 */
@ExtendWith(AwsEmulatorExtension.class)
class InterruptionIT {
  private static final String ENV = "intr-it";
  private GitHubStandIn github;
  private AwsClients aws;
  private Ec2Client ec2;
  private SsmParameters parameters;
  private String subnet;
  private final List<String> emf = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start(AwsClients aws) {
    this.aws = aws;
    this.ec2 = aws.ec2();
    github = GitHubStandIn.start();
    github.install("acme");
    parameters = new SsmParameters(aws.ssm(), Clock.systemUTC());
    parameters.putSecure("/" + ENV + "/app-id", String.valueOf(github.appId()));
    parameters.putSecure("/" + ENV + "/app-key", github.appKeys().pkcs1Pem());
    String vpc = ec2.createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
    subnet = ec2.createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.8.0/21")).subnet().subnetId();
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private InterruptionHandler handler() {
    Map<String, String> env = Map.of("ENVIRONMENT", ENV,
        "GITHUB_API_URL", github.apiUrl().toString(),
        "GITHUB_APP_ID_PARAM", "/" + ENV + "/app-id",
        "GITHUB_APP_KEY_PARAM", "/" + ENV + "/app-key",
        "INTERRUPTION_POOLS", "{\"linux\":{\"rerun\":true,\"max_reruns\":2,"
            + "\"breaker_threshold\":1,\"breaker_window_minutes\":15,"
            + "\"breaker_cooldown_minutes\":30}}",
        "INTERRUPTION_MAX_POINTS", "100",
        "RERUN_WATCH_HOURS", "6");
    return new InterruptionHandler(
        InterruptionWiring.create(env, aws, emf::add, Clock.systemUTC()), Clock.systemUTC());
  }

  /** An instance of pool linux with its runner at the stand-in, launched for job {@code job}. */
  private String instance(String environment, StandInRunner runner, long job) {
    String image = ec2.describeImages(b -> b.maxResults(5)).images().get(0).imageId();
    String id = ec2.runInstances(b -> b.imageId(image).minCount(1).maxCount(1)
        .instanceType(InstanceType.M5_LARGE).subnetId(subnet)).instances().get(0).instanceId();
    Map<String, String> tags = new HashMap<>(Map.of(Tags.ENVIRONMENT, environment,
        Tags.APPLICATION, "spotrunner", Tags.POOL, "linux", Tags.OWNER, "acme",
        Tags.OWNER_TYPE, "Organization", Tags.RUNNER_NAME, runner.name(),
        Tags.RUNNER_ID, Long.toString(runner.id()), Tags.JOB_ID, Long.toString(job),
        Tags.REPOSITORY, "acme/api"));
    ec2.createTags(b -> b.resources(id).tags(tags.entrySet().stream()
        .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList()));
    return id;
  }

  private Map<String, String> deliver(String detailType, String instanceId, String state) {
    String detail = state == null ? "{\"instance-id\":\"%s\",\"instance-action\":\"terminate\"}"
        .formatted(instanceId) : "{\"instance-id\":\"%s\",\"state\":\"%s\"}".formatted(instanceId,
        state);
    String json = """
        {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"%s",
         "source":"aws.ec2","account":"123456789012","time":"%s","region":"us-east-1",
         "resources":["arn:aws:ec2:us-east-1:123456789012:instance/%s"],"detail":%s}"""
        .formatted(detailType, Instant.now(), instanceId, detail);
    @SuppressWarnings("unchecked")
    Map<String, Object> event = Json.read(json, Map.class);
    return handler().handleRequest(event, null);
  }

  private String tag(String instanceId, String key) {
    return ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0)
        .instances().get(0).tags().stream().filter(t -> t.key().equals(key))
        .map(Tag::value).findFirst().orElse(null);
  }

  @Test
  void warningsDeregisterIdleRunnersAndInterruptedJobsAreReRunOnceTheirInstanceIsGone() {
    StandInRunner idle = github.addRunner("orgs/acme", ENV + "-idle", "online", false,
        List.of("linux"));
    StandInRunner busy = github.addRunner("orgs/acme", ENV + "-busy", "online", false,
        List.of("linux"));
    StandInJob job = github.addJob("acme", "api", 9001, List.of("linux"));
    github.startJob(job.id(), busy);
    github.setRunner(busy.id(), "online", true);
    String idleInstance = instance(ENV, idle, 9000);
    String busyInstance = instance(ENV, busy, job.id());

    assertEquals("IDLE_DEREGISTERED", deliver("EC2 Spot Instance Interruption Warning",
        idleInstance, null).get("outcome"));
    assertEquals("BUSY_RECORDED", deliver("EC2 Spot Instance Interruption Warning",
        busyInstance, null).get("outcome"));

    assertTrue(github.runner(idle.id()).isEmpty(), "idle runner deregistered at the warning");
    assertTrue(github.runner(busy.id()).isPresent(), "busy runner never deregistered");
    assertTrue(tag(busyInstance, Interruptions.INTERRUPTED_TAG) != null);
    assertEquals(Phase.OPEN, new BreakerStore(parameters).read(ENV, "linux")
        .phase(BreakerKeys.instanceType("m5.large"), Instant.now()));
    assertEquals(2, emf.stream().filter(l -> l.contains("\"SpotInterruptions\"")).count());

    // spot takes the machine: the job fails, the runner goes offline, EC2 says terminated
    github.updateJob(job.id(), "completed", "failure");
    github.setRunner(busy.id(), "offline", false);
    ec2.terminateInstances(b -> b.instanceIds(busyInstance));
    assertEquals("GHOST_REMOVED", deliver("EC2 Instance State-change Notification",
        busyInstance, "terminated").get("outcome"));

    assertTrue(github.runner(busy.id()).isEmpty(), "no ghost left");
    assertEquals(List.of(job.id()), StandInReruns.of(github).rerunJobs());
    assertTrue(github.jobs().stream().anyMatch(j -> j.id() != job.id() && "queued".equals(j.status())),
        "a new attempt of the job waits for a runner");
    assertFalse(parameters.namesUnder("/" + ENV + "/interruptions/linux/jobs").contains(
        "/" + ENV + "/interruptions/linux/jobs/" + job.id()));
  }

  @Test
  void anotherEnvironmentsInstanceIsNeverTouched() {
    StandInRunner theirs = github.addRunner("orgs/acme", "prod-1", "online", false,
        List.of("linux"));
    String instance = instance("prod", theirs, 9100);

    assertEquals("NOT_OURS", deliver("EC2 Spot Instance Interruption Warning", instance, null)
        .get("outcome"));
    assertTrue(github.runner(theirs.id()).isPresent());
    assertEquals(null, tag(instance, Interruptions.INTERRUPTED_TAG));
  }

  @Test
  void aRebalanceRecommendationRetiresAnIdleRunnerAndItsInstance() {
    StandInRunner idle = github.addRunner("orgs/acme", ENV + "-rebalanced", "online", false,
        List.of("linux"));
    String instance = instance(ENV, idle, 9200);
    var breakers = parameters.getFresh(BreakerStore.parameterName(ENV, "linux"));

    assertEquals("IDLE_DEREGISTERED", deliver("EC2 Instance Rebalance Recommendation", instance,
        null).get("outcome"));

    assertTrue(github.runner(idle.id()).isEmpty());
    String state = ec2.describeInstances(b -> b.instanceIds(instance)).reservations().get(0)
        .instances().get(0).state().nameAsString();
    assertTrue(state.equals("shutting-down") || state.equals("terminated"), state);
    assertEquals(breakers, parameters.getFresh(BreakerStore.parameterName(ENV, "linux")),
        "a recommendation is no interruption");
  }
}
