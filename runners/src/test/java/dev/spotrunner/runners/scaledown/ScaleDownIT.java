package dev.spotrunner.runners.scaledown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.common.queue.SqsJobQueue;
import dev.spotrunner.runners.scaledown.CycleReport.Count;
import dev.spotrunner.runners.scaleup.QueuedMessage;
import dev.spotrunner.runners.scaleup.ScaleUp;
import dev.spotrunner.runners.scaleup.ScaleUpSettings;
import dev.spotrunner.runners.scaleup.WarmRequest;
import dev.spotrunner.runners.scaleup.Wiring;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.FaultProxy;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Subnet;

/** Scale-down against moto (EC2, SSM) and the GitHub stand-in over HTTP. */
@ExtendWith(AwsEmulatorExtension.class)
class ScaleDownIT {
  private static final String TEMPLATE = "scaledown-it";
  private static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  private static final AtomicInteger RUN = new AtomicInteger();

  private static GitHubStandIn github;
  private static AwsClients aws;
  private static String subnet;
  private static SsmParameters parameters;

  private final Clock clock = Clock.systemUTC();
  private String environment;
  private String org;
  private Map<String, String> env;
  private Ec2RunnerFleet fleet;

  @BeforeAll
  static void start(AwsClients clients, Ec2Client ec2) {
    aws = clients;
    github = GitHubStandIn.start();
    String ami;
    try {
      ami = ec2.describeImages(r -> r.imageIds("ami-12c6146b")).images().get(0).imageId();
    } catch (RuntimeException e) {
      ami = ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
    }
    String image = ami;
    ec2.createLaunchTemplate(r -> r.launchTemplateName(TEMPLATE)
        .launchTemplateData(d -> d.imageId(image).instanceType("m5.large")));
    subnet = ec2.describeSubnets().subnets().stream().map(Subnet::subnetId).findFirst().orElseThrow();
    parameters = new SsmParameters(aws.ssm(), Clock.systemUTC());
    parameters.putSecure("/scaledown-it/app-id", String.valueOf(github.appId()));
    parameters.putSecure("/scaledown-it/app-key", github.appKeys().pkcs1Pem());
  }

  @AfterAll
  static void stop() {
    github.close();
  }

  @BeforeEach
  void newDeployment() {
    int run = RUN.incrementAndGet();
    environment = "sd" + run + "x" + (System.nanoTime() % 100_000);
    org = "acme" + run;
    github.install(org);
    github.resetCountersAndFaults();
    env = new HashMap<>();
    env.put("ENVIRONMENT", environment);
    env.put("POOL_NAME", "linux");
    env.put("POOL_LABELS", String.join(",", LABELS));
    env.put("LAUNCH_TEMPLATE_NAME", TEMPLATE);
    env.put("INSTANCE_TYPES", "m5.large");
    env.put("SUBNET_IDS", subnet);
    env.put("GITHUB_API_URL", github.apiUrl().toString());
    env.put("GITHUB_APP_ID_PARAM", "/scaledown-it/app-id");
    env.put("GITHUB_APP_KEY_PARAM", "/scaledown-it/app-key");
    // moto's instances are launched now: with no minimum age the rules apply at once
    env.put("MINIMUM_RUNNING_TIME_MINUTES", "0");
    env.put("BOOT_GRACE_MINUTES", "0");
    // warm and rescue requests go to scale-up's queue
    String queue = environment + "-linux-jobs";
    env.put("QUEUE_URL", aws.sqs().createQueue(r -> r.queueName(queue)).queueUrl());
    fleet = new Ec2RunnerFleet(aws.ec2());
  }

  private List<InstanceId> launch(int count) {
    return fleet.launch(new LaunchSpec(TEMPLATE, List.of("m5.large"), List.of(subnet), count,
        CapacityType.ON_DEMAND, null, null, Map.of(Tags.ENVIRONMENT, environment,
            Tags.POOL, "linux", Tags.OWNER, org), null)).launched();
  }

  private StandInRunner runner(InstanceId instance, String status, boolean busy) {
    return github.addRunner("orgs/" + org, environment + "-" + instance, status, busy, LABELS);
  }

  private boolean alive(InstanceId id) {
    return fleet.list(Map.of(Tags.ENVIRONMENT, environment)).stream()
        .map(RunnerInstance::id).anyMatch(id::equals);
  }

  private boolean registered(StandInRunner runner) {
    return github.runner(runner.id()).isPresent();
  }

  @Test
  void keepsAJitRunnerWhoseInstanceEc2DoesNotListYetThroughTheEventualConsistencyWindow() {
    try (FaultProxy proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
        AwsClients throughProxy = AwsEmulatorExtension.clients(proxy.endpoint(), 3)) {
      // As EC2: an instance launched a moment ago is left out of DescribeInstances by filter.
      proxy.eventualConsistency(FaultProxy.EC2_NOT_FOUND_WINDOW);
      env.put("BOOT_GRACE_MINUTES", "1");
      // an older instance of the owner, busy: it makes the cycle list the owner's runners
      runner(launch(1).get(0), "online", true);
      fleet = new Ec2RunnerFleet(throughProxy.ec2());
      InstanceId launched = launch(1).get(0);
      StandInRunner jit = runner(launched, "offline", false); // generate-jitconfig's runner

      CycleReport report = ScaleDownWiring.create(env, throughProxy, clock).run();

      assertTrue(registered(jit), "a just-launched instance's runner is no ghost");
      assertEquals(0, report.get(Count.GHOST_REMOVED));
      assertEquals(1, report.get(Count.GHOST_UNCONFIRMED));
      assertEquals(0, github.calls("delete-runner"));
      // Once EC2 lists the instance, the runner is no candidate any more.
      proxy.eventualConsistency(Duration.ZERO);
      CycleReport next = ScaleDownWiring.create(env, throughProxy, clock).run();
      assertTrue(registered(jit));
      assertEquals(0, next.get(Count.GHOST_UNCONFIRMED));
      assertTrue(parameters.get("/" + environment + "/runners/linux/ghosts").isEmpty());
    }
  }

  @Test
  void appliesEveryRuleOverHttp() {
    List<InstanceId> ids = launch(3);
    InstanceId idle = ids.get(0);
    InstanceId busy = ids.get(1);
    InstanceId orphan = ids.get(2);
    StandInRunner idleRunner = runner(idle, "online", false);
    StandInRunner busyRunner = runner(busy, "online", true);
    StandInRunner ghost = github.addRunner("orgs/" + org,
        environment + "-i-0123456789abcdef0", "offline", false, LABELS);
    for (int i = 0; i < 120; i++) { // more than one page of 100
      github.addRunner("orgs/" + org, "laptop-" + i, "offline", false, LABELS);
    }
    String path = "/" + environment + "/runners/linux/";
    parameters.putSecure(path + busy, "{}");
    parameters.putSecure(path + "i-00000000deadbeef", "{}");

    CycleReport report = ScaleDownWiring.create(env, aws, clock).run();

    assertFalse(registered(idleRunner));
    assertFalse(alive(idle));
    assertTrue(registered(busyRunner));
    assertTrue(alive(busy));
    assertFalse(alive(orphan));
    // The ghost's instance is unknown to EC2, maybe too new to be listed: seen once, kept.
    assertTrue(registered(ghost));
    assertEquals(120 + 2, github.runners("orgs/" + org).size(), "foreign runners untouched");
    assertEquals(List.of(path + busy), parameters.namesUnder(path).stream()
        .filter(n -> !n.endsWith("/owners") && !n.endsWith("/ghosts")).toList());
    assertEquals(1, report.get(Count.IDLE_TERMINATED));
    assertEquals(1, report.get(Count.ORPHAN_TERMINATED));
    assertEquals(1, report.get(Count.GHOST_UNCONFIRMED));
    assertEquals(1, report.get(Count.KEPT_BUSY));
    assertEquals(1, report.get(Count.CONFIG_DELETED));
    assertEquals(0, report.get(Count.ERRORS));
    assertEquals(2, github.calls("list-runners"), "two pages, listed once");
    assertEquals(0, github.rateLimited());

    // Seen again a cycle later with a boot grace of 0: deregistered.
    CycleReport next = ScaleDownWiring.create(env, aws, clock).run();
    assertFalse(registered(ghost));
    assertEquals(1, next.get(Count.GHOST_REMOVED));
    assertEquals(120 + 1, github.runners("orgs/" + org).size(), "foreign runners untouched");
  }

  @Test
  void keepsTheInstanceWhenGitHubAnswers422ForARunnerThatJustTookAJob() {
    InstanceId instance = launch(1).get(0);
    StandInRunner runner = runner(instance, "online", false);
    ScriptedGitHub scripted = new ScriptedGitHub(GitHubApp.create(
        new GitHubAppSettings(github.apiUrl(), "/scaledown-it/app-id", "/scaledown-it/app-key"),
        parameters, clock, GovernorLimits.GITHUB.withBackoff(Duration.ofMillis(50),
            Duration.ofSeconds(5)), Sleeper.REAL).runners());
    // the job lands after the fresh read and before the DELETE
    scripted.afterGet = id -> github.setRunner(id, "online", true);
    ScaleDown scaleDown = new ScaleDown(ScaleDownSettings.fromEnv(env), fleet, scripted,
        parameters, RequestBudget.governedBy(scripted, clock), new NoAsks(), new Emf(line -> {}),
        clock);

    CycleReport report = scaleDown.run();

    assertTrue(alive(instance));
    assertTrue(registered(runner));
    assertEquals(1, github.calls("delete-runner"));
    assertEquals(1, report.get(Count.BUSY_AT_DELETE));
    assertEquals(0, report.get(Count.IDLE_TERMINATED));
  }

  @Test
  void asksScaleUpForAMissingWarmRunnerThroughThePoolsQueue() {
    env.put("WARM_WINDOWS", "[{\"cron\":\"* * * * *\",\"idle\":1,\"owner\":\"" + org + "\"}]");
    env.put("MINIMUM_RUNNING_TIME_MINUTES", "5");
    env.put("BOOT_GRACE_MINUTES", "5");

    CycleReport report = ScaleDownWiring.create(env, aws, clock).run();

    assertEquals(1, report.get(Count.WARM_ASKED), "asked for");
    assertEquals(List.of(), fleet.list(Map.of(Tags.ENVIRONMENT, environment)),
        "scale-down launches nothing itself");
    // scale-up takes the request from the queue, as its event source would hand it over
    SqsJobQueue queue = new SqsJobQueue(aws.sqs());
    List<JobQueue.Received> requests = queue.receive(env.get("QUEUE_URL"), 10, 60);
    assertEquals(1, requests.size());
    JobQueue.Received request = requests.get(0);
    ScaleUp scaleUp = Wiring.scaleUp(ScaleUpSettings.fromEnv(env), aws, clock);
    scaleUp.run(List.of(QueuedMessage.parse(request.messageId(), request.body(), "1", null, null,
        request.attributes().get(WarmRequest.KIND_ATTRIBUTE), request.receiptHandle())));
    List<RunnerInstance> instances = fleet.list(Map.of(Tags.ENVIRONMENT, environment));
    assertEquals(1, instances.size());
    RunnerInstance warm = instances.get(0);
    assertEquals(org, warm.tag(Tags.OWNER));
    assertTrue(parameters.get("/" + environment + "/runners/linux/" + warm.id()).isPresent());
    List<StandInRunner> runners = github.runners("orgs/" + org);
    assertEquals(1, runners.size());
    assertEquals(environment + "-" + warm.id(), runners.get(0).name());
    assertEquals(String.valueOf(runners.get(0).id()), warm.tag(Tags.RUNNER_ID));

    CycleReport again = ScaleDownWiring.create(env, aws, clock).run();
    assertEquals(0, again.get(Count.WARM_ASKED), "the booting warm runner counts");
    assertEquals(1, again.get(Count.KEPT_YOUNG));
    assertEquals(RunnerOwner.org(org).toString(),
        parameters.get("/" + environment + "/runners/linux/owners").orElseThrow());
  }
}
