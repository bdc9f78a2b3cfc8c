package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.common.testing.aws.FaultProxy;
import dev.spotrunner.local.agent.RunnerAgents;
import dev.spotrunner.local.driver.ApiGatewayEndpoint;
import dev.spotrunner.local.driver.Schedule;
import dev.spotrunner.local.driver.SqsEventSource;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.github.WebhookSender;
import dev.spotrunner.local.lambda.FunctionSpec;
import dev.spotrunner.local.lambda.LambdaProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The whole system on one machine: moto, the GitHub stand-in, examples/local applied with
 * Terraform, each function in its own JVM behind the Runtime API, API Gateway, the SQS event
 * sources, the schedules, and simulated runner machines.
 */
public final class LocalStack implements AutoCloseable {
  private static final Log log = Log.of(LocalStack.class);
  public static final String REGION = "us-east-1";
  public static final String ORGANISATION = "acme";

  /**
   * @param root repository root (built jars, examples/local)
   * @param workDir logs, Terraform state
   * @param bootTime launch → start script runs, per simulated machine
   * @param scaleDownRate how often each pool's scale-down runs
   * @param retryVisibility how soon a message scale-up returned is visible again
   * @param terraformVariables extra {@code TF_VAR_} inputs, e.g. pools for a test
   */
  public record Options(Path root, Path workDir, String prefix, Duration bootTime, Duration scaleDownRate,
      Duration retryVisibility, Duration agentPoll, int gatewayPort, Map<String, String> terraformVariables) {
    public static Options defaults(Path root, Path workDir) {
      return new Options(root, workDir, "local", Duration.ofSeconds(3), Duration.ofSeconds(15),
          Duration.ofSeconds(8), Duration.ofMillis(250), 0, Map.of());
    }

    public Options withPrefix(String newPrefix) {
      return new Options(root, workDir, newPrefix, bootTime, scaleDownRate, retryVisibility, agentPoll,
          gatewayPort, terraformVariables);
    }

    public Options withTerraformVariables(Map<String, String> variables) {
      return new Options(root, workDir, prefix, bootTime, scaleDownRate, retryVisibility, agentPoll,
          gatewayPort, variables);
    }

    public Options withGatewayPort(int port) {
      return new Options(root, workDir, prefix, bootTime, scaleDownRate, retryVisibility, agentPoll, port,
          terraformVariables);
    }
  }

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Clock clock = Clock.systemUTC();
  private Options options;
  private MotoProcess moto;
  private LocalAws aws;
  private FaultProxy ec2Proxy;
  private GitHubHost github;
  private Secret webhookSecret;
  private Deployment deployment;
  private LambdaProcess webhook;
  private final Map<String, LambdaProcess> functions = new LinkedHashMap<>();
  private final Map<String, SqsEventSource> eventSources = new LinkedHashMap<>();
  private final Map<String, Schedule> scaleDowns = new LinkedHashMap<>();
  private ApiGatewayEndpoint gateway;
  private WebhookSender sender;
  private RunnerAgents agents;
  private JsonNode terraformOutputs;
  private final ExecutorService deliveries = Executors.newSingleThreadExecutor(
      Thread.ofVirtual().name("webhook-deliveries").factory());

  private LocalStack() {}

  /** Starts everything; on failure, stops what was started and rethrows. */
  public static LocalStack start(Options options, GitHubHost github) throws IOException {
    LocalStack stack = new LocalStack();
    try {
      stack.boot(options, github);
      return stack;
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  private void boot(Options options, GitHubHost github) throws IOException {
    this.options = options;
    this.github = track(github);
    Path logs = options.workDir().resolve("logs");
    moto = track(MotoProcess.start(logs));
    aws = track(new LocalAws(moto.endpoint(), REGION));
    // EC2 honours a repeated CreateFleet ClientToken; moto does not, the proxy does (docs/aws-emulator.md).
    ec2Proxy = track(FaultProxy.start(moto.endpoint()).honourFleetClientTokens(true));
    long installation = github.install(ORGANISATION);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    webhookSecret = new Secret(HexFormat.of().formatHex(random));

    terraformOutputs = new Terraform(options.root().resolve("examples/local"), options.workDir().resolve("terraform"),
        terraformEnvironment()).apply();
    Map<String, String> runtime = lambdaRuntimeEnvironment();
    deployment = Deployment.read(aws, options.prefix(), options.root(), runtime);

    webhook = track(new LambdaProcess(deployment.webhook(), logs, clock));
    functions.put(deployment.webhook().name(), webhook);
    for (Deployment.Pool pool : deployment.pools()) {
      // The scale functions reach EC2 through the fault proxy, which can refuse spot capacity.
      functions.put(pool.scaleUp().name(), track(new LambdaProcess(withEc2Proxy(pool.scaleUp()), logs, clock)));
      functions.put(pool.scaleDown().name(), track(new LambdaProcess(withEc2Proxy(pool.scaleDown()), logs, clock)));
      // The local stack polls the queue itself; moto's own mapping would try to run the function in Docker.
      aws.lambda.updateEventSourceMapping(r -> r.uuid(pool.esmUuid()).enabled(false));
    }
    deployment.syncer().ifPresent(spec -> {
      try {
        functions.put(spec.name(), track(new LambdaProcess(spec, logs, clock)));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    startAllAndMeasure();

    gateway = track(new ApiGatewayEndpoint(options.gatewayPort(), webhook::invoke, clock));
    sender = new WebhookSender(URI.create(gateway.url()), webhookSecret);
    github.onJobChanged(event -> deliveries.submit(() -> sender.send(event)));
    for (Deployment.Pool pool : deployment.pools()) {
      LambdaProcess scaleUp = functions.get(pool.scaleUp().name());
      eventSources.put(pool.name(), track(new SqsEventSource(aws.sqs, new SqsEventSource.Settings(pool.queueUrl(),
          pool.batchSize(), pool.reportBatchItemFailures(), options.retryVisibility()), scaleUp::invoke, REGION)
          .start()));
      LambdaProcess scaleDown = functions.get(pool.scaleDown().name());
      scaleDowns.put(pool.name(), track(new Schedule(pool.scaleDown().name(), scaleDown::invoke,
          options.scaleDownRate(), options.scaleDownRate(), clock, REGION)));
    }
    deployment.syncer().ifPresent(spec -> track(new Schedule(spec.name(), functions.get(spec.name())::invoke,
        Duration.ofHours(1), Duration.ZERO, clock, REGION)));
    Map<String, String> configPaths = new HashMap<>();
    deployment.pools().forEach(p -> configPaths.put(p.name(), p.configPath()));
    agents = track(new RunnerAgents(MachineRoom.fleet(aws.ec2), MachineRoom.parameters(aws.ssm), github,
        new RunnerAgents.Settings(options.prefix(), configPaths::get, options.bootTime(), Duration.ofMinutes(2),
            options.agentPoll()), clock).start());
    log.info("local stack up", entry("webhook_url", gateway.url()), entry("moto", moto.endpoint()),
        entry("github", github.apiUrl()), entry("installation", installation));
  }

  /** Starts every function's JVM at once and waits for each first answer: the cold starts. */
  private void startAllAndMeasure() {
    List<Future<?>> warmups = new ArrayList<>();
    try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
      for (LambdaProcess function : functions.values()) {
        warmups.add(starter.submit(() -> {
          function.start();
          return null;
        }));
      }
    }
    for (Future<?> warmup : warmups) {
      try {
        warmup.get();
      } catch (Exception e) {
        throw new IllegalStateException("a function failed to start", e);
      }
    }
  }

  private FunctionSpec withEc2Proxy(FunctionSpec spec) {
    Map<String, String> env = new HashMap<>(spec.environment());
    env.put("AWS_ENDPOINT_URL_EC2", ec2Proxy.endpoint().toString());
    return new FunctionSpec(spec.name(), spec.arn(), spec.jar(), spec.handler(), env, spec.timeout(), spec.memoryMb());
  }

  /** What Lambda sets in every execution environment, pointed at the emulator. */
  private Map<String, String> lambdaRuntimeEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_REGION", REGION);
    env.put("AWS_DEFAULT_REGION", REGION);
    env.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
    env.put("AWS_SESSION_TOKEN", "local");
    return env;
  }

  private Map<String, String> terraformEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ACCESS_KEY_ID", LocalAws.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", LocalAws.SECRET_KEY);
    env.put("AWS_REGION", REGION);
    env.put("AWS_DEFAULT_REGION", REGION);
    env.put("AWS_ENDPOINT_URL", moto.endpoint().toString());
    env.put("TF_VAR_prefix", options.prefix());
    env.put("TF_VAR_endpoint", moto.endpoint().toString());
    env.put("TF_VAR_aws_region", REGION);
    env.put("TF_VAR_github_app_id", Long.toString(github.appId()));
    env.put("TF_VAR_github_app_key_base64", java.util.Base64.getEncoder()
        .encodeToString(github.appPrivateKeyPem().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    env.put("TF_VAR_webhook_secret", webhookSecret.reveal());
    // Terraform accepts only an https GHES URL; Deployment gives the functions http on loopback.
    env.put("TF_VAR_github_enterprise_server_url", "https://127.0.0.1:" + github.apiUrl().getPort());
    options.terraformVariables().forEach((name, value) -> env.put("TF_VAR_" + name, value));
    return env;
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  public String webhookUrl() {
    return gateway.url();
  }

  public URI motoEndpoint() {
    return moto.endpoint();
  }

  public GitHubHost github() {
    return github;
  }

  public LocalAws aws() {
    return aws;
  }

  public Deployment deployment() {
    return deployment;
  }

  public RunnerAgents agents() {
    return agents;
  }

  public WebhookSender sender() {
    return sender;
  }

  public Secret webhookSecret() {
    return webhookSecret;
  }

  /** The EC2 endpoint of scale-up and scale-down: {@code noSpotCapacity(n)} injects capacity errors. */
  public FaultProxy ec2Proxy() {
    return ec2Proxy;
  }

  public JsonNode terraformOutputs() {
    return terraformOutputs;
  }

  public Map<String, SqsEventSource> eventSources() {
    return Map.copyOf(eventSources);
  }

  public Map<String, Schedule> scaleDowns() {
    return Map.copyOf(scaleDowns);
  }

  public List<LambdaProcess.ColdStart> coldStarts() {
    List<LambdaProcess.ColdStart> all = new ArrayList<>();
    functions.values().forEach(f -> all.addAll(f.coldStarts()));
    return all;
  }

  public Options options() {
    return options;
  }

  @Override
  public void close() {
    deliveries.shutdownNow();
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        log.warn("stop failed", Log.error(e));
      }
    }
  }
}
