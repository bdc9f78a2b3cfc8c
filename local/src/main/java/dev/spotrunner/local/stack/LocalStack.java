package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.local.agent.RunnerAgents;
import dev.spotrunner.local.dashboard.LiveDashboard;
import dev.spotrunner.local.driver.ApiGatewayEndpoint;
import dev.spotrunner.local.driver.EventRules;
import dev.spotrunner.local.driver.Schedule;
import dev.spotrunner.local.driver.ScheduleExpression;
import dev.spotrunner.local.driver.SqsEventSource;
import dev.spotrunner.local.github.GitHubHost;
import dev.spotrunner.local.github.WebhookSender;
import dev.spotrunner.local.lambda.FunctionPool;
import dev.spotrunner.local.lambda.FunctionSpec;
import dev.spotrunner.local.lambda.Invoker;
import dev.spotrunner.local.lambda.LambdaProcess;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The whole system on one machine: moto, the GitHub stand-in, examples/local applied with
 * Terraform, each function in its own JVM behind the Runtime API, API Gateway, the SQS event
 * sources, the schedules, and simulated runner machines.
 */
public final class LocalStack implements AutoCloseable {
  private static final Log log = Log.of(LocalStack.class);
  public static final String REGION = "us-east-1";
  public static final String ORGANISATION = "acme";
  /** System property: a directory where each stack leaves its functions' EMF lines when it closes. */
  public static final String COLLECT_EMF = "spotrunner.emf.collect";

  /**
   * What the local stack decides itself, none of it an AWS timing or limit (those come from what
   * Terraform applied, {@link EffectiveSettings}).
   *
   * @param root repository root (built jars, examples/local)
   * @param workDir logs, Terraform state
   * @param bootTime launch → start script runs, per simulated machine
   * @param agentPoll how often a simulated runner looks for its config and for jobs
   * @param unreservedConcurrency environments per function without reserved concurrency: Lambda
   *     allows up to the account's unreserved concurrency (1,000 by default), a 2-core machine
   *     cannot run that many JVMs, so the local stack caps it here
   * @param terraformVariables extra {@code TF_VAR_} inputs, e.g. pools for a test
   */
  public record Options(Path root, Path workDir, String prefix, Duration bootTime, Duration agentPoll,
      int gatewayPort, int unreservedConcurrency, Map<String, String> terraformVariables) {
    /** Four JVMs per unreserved function: what 2 cores run without starving the rest. */
    public static final int UNRESERVED_CONCURRENCY = 4;

    public static Options defaults(Path root, Path workDir) {
      return new Options(root, workDir, "local", Duration.ofSeconds(3), Duration.ofMillis(250), 0,
          UNRESERVED_CONCURRENCY, Map.of());
    }

    public Options withPrefix(String newPrefix) {
      return new Options(root, workDir, newPrefix, bootTime, agentPoll, gatewayPort, unreservedConcurrency,
          terraformVariables);
    }

    public Options withTerraformVariables(Map<String, String> variables) {
      return new Options(root, workDir, prefix, bootTime, agentPoll, gatewayPort, unreservedConcurrency,
          variables);
    }

    public Options withGatewayPort(int port) {
      return new Options(root, workDir, prefix, bootTime, agentPoll, port, unreservedConcurrency,
          terraformVariables);
    }

    public Options withBootTime(Duration newBootTime, Duration newAgentPoll) {
      return new Options(root, workDir, prefix, newBootTime, newAgentPoll, gatewayPort, unreservedConcurrency,
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
  private FunctionPool webhook;
  private final Map<String, FunctionPool> functions = new LinkedHashMap<>();
  private final Map<String, SqsEventSource> eventSources = new LinkedHashMap<>();
  private final Map<String, Schedule> scaleDowns = new LinkedHashMap<>();
  private Schedule syncerSchedule;
  private Schedule interruptionSchedule;
  private EventRules eventRules;
  private EffectiveSettings settings;
  private ApiGatewayEndpoint gateway;
  private WebhookSender sender;
  private RunnerAgents agents;
  private Terraform terraform;
  private JsonNode terraformOutputs;
  private LiveDashboard liveDashboard;
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
    // AWS's rules moto lacks, applied by the proxy (docs/aws-emulator.md): EC2 honours a repeated
    // CreateFleet ClientToken, hides a just-launched instance for a moment (eventual consistency),
    // and SSM refuses Standard-tier values over 4 KB.
    ec2Proxy = track(FaultProxy.start(moto.endpoint()).honourFleetClientTokens(true)
        .eventualConsistency(FaultProxy.EC2_NOT_FOUND_WINDOW).enforceParameterTiers(true));
    long installation = github.install(ORGANISATION);
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    webhookSecret = new Secret(HexFormat.of().formatHex(random));

    terraform = new Terraform(options.root().resolve("examples/local"), options.workDir().resolve("terraform"),
        terraformEnvironment());
    terraformOutputs = terraform.apply();
    Map<String, String> runtime = lambdaRuntimeEnvironment();
    deployment = Deployment.read(aws, options.prefix(), options.root(), runtime);

    webhook = track(pool(deployment.webhook(), null, logs));
    for (Deployment.Pool pool : deployment.pools()) {
      // The scale functions reach EC2 through the fault proxy, which can refuse spot capacity.
      track(pool(withEc2Proxy(pool.scaleUp()), pool.mapping().maximumConcurrency(), logs));
      track(pool(withEc2Proxy(pool.scaleDown()), null, logs));
      // The local stack polls the queue itself; moto's own mapping would try to run the function in Docker.
      aws.lambda.updateEventSourceMapping(r -> r.uuid(pool.mapping().uuid()).enabled(false));
    }
    deployment.syncer().ifPresent(spec -> track(pool(spec, null, logs)));
    deployment.interruptions().ifPresent(spec -> track(pool(spec, null, logs)));
    startAllAndMeasure();

    gateway = track(new ApiGatewayEndpoint(options.gatewayPort(), webhook::invoke, clock));
    sender = new WebhookSender(URI.create(gateway.url()), webhookSecret);
    github.onJobChanged(event -> deliveries.submit(() -> sender.send(event)));
    for (Deployment.Pool pool : deployment.pools()) {
      FunctionPool scaleUp = functions.get(pool.scaleUp().name());
      Deployment.Mapping mapping = pool.mapping();
      eventSources.put(pool.name(), track(new SqsEventSource(aws.sqs, new SqsEventSource.Settings(pool.queueUrl(),
          mapping.batchSize(), Duration.ofSeconds(mapping.maximumBatchingWindowSeconds()),
          mapping.reportBatchItemFailures(), scaleUp.concurrency()), scaleUp, REGION).start()));
      scaleDowns.put(pool.name(), track(new Schedule(pool.scaleDownRule().arn(),
          ScheduleExpression.parse(pool.scaleDownRule().scheduleExpression()),
          functions.get(pool.scaleDown().name()), clock, REGION)));
    }
    deployment.syncer().ifPresent(spec -> {
      Deployment.Rule rule = deployment.syncerRule().orElseThrow();
      syncerSchedule = track(new Schedule(rule.arn(), ScheduleExpression.parse(rule.scheduleExpression()),
          functions.get(spec.name()), clock, REGION));
      // The module asks for one invocation right after the first apply (output binary_syncer_function_name).
      Thread.ofVirtual().name("syncer-after-apply").start(syncerSchedule::fire);
    });
    // Spot interruptions: EC2's events through the pattern rules Terraform applied, and the follow-up schedule.
    eventRules = EventRules.read(aws.events, this::functionOfArn, REGION);
    deployment.interruptions().ifPresent(spec -> interruptionSchedule = track(new Schedule(
        deployment.interruptionsRule().orElseThrow().arn(),
        ScheduleExpression.parse(deployment.interruptionsRule().orElseThrow().scheduleExpression()),
        functions.get(spec.name()), clock, REGION)));
    settings = describeSettings();
    Map<String, String> configPaths = new HashMap<>();
    deployment.pools().forEach(p -> configPaths.put(p.name(), p.configPath()));
    agents = track(new RunnerAgents(MachineRoom.fleet(aws.ec2), MachineRoom.parameters(aws.ssm), github,
        new RunnerAgents.Settings(options.prefix(), configPaths::get, options.bootTime(), Duration.ofMinutes(2),
            options.agentPoll()), clock).onInstanceEvent(event -> eventRules.publish(event)).start());
    // the applied dashboard, live in a browser, from what the functions write (docs/metrics.md)
    liveDashboard = track(startLiveDashboard());
    log.info("local stack up", entry("webhook_url", gateway.url()), entry("moto", moto.endpoint()),
        entry("github", github.apiUrl()), entry("installation", installation));
  }

  /**
   * A function's execution environments, up to what Lambda would run at once: the mapping's maximum
   * concurrency or the function's reserved concurrency, whichever is lower; unreserved, the local cap.
   */
  private FunctionPool pool(FunctionSpec spec, Integer mappingMaximum, Path logs) {
    FunctionPool pool = new FunctionPool(spec, concurrency(spec, mappingMaximum).limit(), logs, clock);
    functions.put(spec.name(), pool);
    return pool;
  }

  /** How many invocations of a function Lambda runs at once, and why. */
  record Concurrency(int limit, String source) {}

  Concurrency concurrency(FunctionSpec spec, Integer mappingMaximum) {
    Integer reserved = spec.reservedConcurrency();
    if (reserved != null && (mappingMaximum == null || reserved <= mappingMaximum)) {
      if (reserved < 1) {
        throw new IllegalStateException(spec.name() + " has reserved concurrency " + reserved
            + ": Lambda never runs it");
      }
      return new Concurrency(reserved, "Lambda GetFunctionConcurrency ReservedConcurrentExecutions");
    }
    if (mappingMaximum != null) {
      return new Concurrency(mappingMaximum, "Lambda ListEventSourceMappings ScalingConfig.MaximumConcurrency");
    }
    return new Concurrency(options.unreservedConcurrency(), "unreserved: local cap (Options.unreservedConcurrency;"
        + " AWS allows the account's unreserved concurrency)");
  }

  private EffectiveSettings describeSettings() {
    List<EffectiveSettings.Setting> rows = new ArrayList<>();
    for (Deployment.Pool pool : deployment.pools()) {
      String scope = pool.name();
      Deployment.Queue queue = pool.queue();
      SqsEventSource.Settings source = eventSources.get(pool.name()).settings();
      rows.add(row(scope, "queue delay", queue.delaySeconds(), "s", "SQS GetQueueAttributes DelaySeconds"));
      rows.add(row(scope, "visibility timeout", queue.visibilityTimeoutSeconds(), "s",
          "SQS GetQueueAttributes VisibilityTimeout (moto keeps message visibility)"));
      rows.add(row(scope, "receives before DLQ", queue.maxReceiveCount(), "",
          "SQS RedrivePolicy maxReceiveCount → " + queue.deadLetterQueueArn().substring(
              queue.deadLetterQueueArn().lastIndexOf(':') + 1) + " (moto redrives)"));
      rows.add(row(scope, "batch size", source.batchSize(), "", "Lambda ListEventSourceMappings BatchSize"));
      rows.add(row(scope, "batching window", source.maximumBatchingWindow().toSeconds(), "s",
          "Lambda ListEventSourceMappings MaximumBatchingWindowInSeconds"));
      rows.add(row(scope, "scale-up concurrency", source.concurrency(), "",
          concurrency(pool.scaleUp(), pool.mapping().maximumConcurrency()).source()));
      rows.add(row(scope, "scale-up timeout", pool.scaleUp().timeout().toSeconds(), "s",
          "Lambda GetFunctionConfiguration Timeout"));
      rows.add(row(scope, "job recheck", pool.scaleUp().environment().getOrDefault("JOB_RECHECK_SECONDS", "-"), "s",
          "scale-up environment JOB_RECHECK_SECONDS (GetFunctionConfiguration)"));
      rows.add(row(scope, "scale-down schedule", scaleDowns.get(pool.name()).expression(), "",
          "EventBridge ListRules ScheduleExpression of " + pool.scaleDownRule().name()));
      rows.add(row(scope, "scale-down concurrency", functions.get(pool.scaleDown().name()).concurrency(), "",
          concurrency(pool.scaleDown(), null).source()));
    }
    rows.add(row("stack", "webhook concurrency", webhook.concurrency(), "", concurrency(webhook.spec(), null).source()));
    if (syncerSchedule != null) {
      rows.add(row("stack", "syncer schedule", syncerSchedule.expression(), "",
          "EventBridge ListRules ScheduleExpression of " + deployment.syncerRule().orElseThrow().name()));
      FunctionPool syncer = functions.get(deployment.syncer().orElseThrow().name());
      rows.add(row("stack", "syncer concurrency", syncer.concurrency(), "", concurrency(syncer.spec(), null).source()));
    }
    if (interruptionSchedule != null) {
      FunctionSpec spec = deployment.interruptions().orElseThrow();
      rows.add(row("stack", "interruptions schedule", interruptionSchedule.expression(), "",
          "EventBridge ListRules ScheduleExpression of " + deployment.interruptionsRule().orElseThrow().name()));
      rows.add(row("stack", "interruptions concurrency", functions.get(spec.name()).concurrency(), "",
          concurrency(spec, null).source()));
      rows.add(row("stack", "interruption event rules", eventRules.rules().size(), "",
          "EventBridge ListRules EventPattern targeting the function"));
    }
    rows.add(row("stack", "machine boot time", options.bootTime().toMillis() / 1000.0, "s",
        "local stack option (simulated machines; not an AWS setting)"));
    return new EffectiveSettings(rows);
  }

  private static EffectiveSettings.Setting row(String scope, String name, Object value, String unit, String source) {
    return new EffectiveSettings.Setting(scope, name, String.valueOf(value), unit, source);
  }

  /** Starts every function's first JVM at once and waits for each first answer: the cold starts. */
  private void startAllAndMeasure() {
    List<Future<?>> warmups = new ArrayList<>();
    try (ExecutorService starter = Executors.newVirtualThreadPerTaskExecutor()) {
      for (FunctionPool function : functions.values()) {
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
    env.put("AWS_ENDPOINT_URL_SSM", ec2Proxy.endpoint().toString());
    return spec.withEnvironment(env);
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

  /** The local function a target ARN names (the function's ARN, or a version or alias of it). */
  private Optional<Invoker> functionOfArn(String arn) {
    return functions.values().stream()
        .filter(f -> arn.equals(f.spec().arn()) || arn.startsWith(f.spec().arn() + ":"))
        .map(f -> (Invoker) f).findFirst();
  }

  /** The EventBridge rules with event patterns (spot warnings, terminations) and their targets. */
  public EventRules eventRules() {
    return eventRules;
  }

  /** The interruption function's follow-up schedule, when the deployment has the function. */
  public Optional<Schedule> interruptionSchedule() {
    return Optional.ofNullable(interruptionSchedule);
  }

  /**
   * How long spot's warning comes before the termination when the local stack reclaims a machine:
   * examples/local's demo value (output {@code spot_interruption_notice_seconds}; AWS gives two minutes).
   */
  public Duration spotInterruptionNotice() {
    JsonNode output = terraformOutputs.path("spot_interruption_notice_seconds");
    JsonNode value = output.has("value") ? output.get("value") : output;
    if (!value.canConvertToLong()) {
      throw new IllegalStateException("examples/local has no output spot_interruption_notice_seconds");
    }
    return Duration.ofSeconds(value.asLong());
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  public String webhookUrl() {
    return gateway.url();
  }

  /** The page showing the applied dashboard drawn from this run's metrics. */
  /** The page of this stack: its applied dashboard, its function logs, queues and functions. */
  private LiveDashboard startLiveDashboard() throws IOException {
    Map<String, String> queues = new LinkedHashMap<>();
    for (Deployment.Pool pool : deployment.pools()) {
      queues.put(pool.queueUrl().substring(pool.queueUrl().lastIndexOf('/') + 1), pool.queueUrl());
      String dlqArn = pool.queue().deadLetterQueueArn();
      String dlq = dlqArn.substring(dlqArn.lastIndexOf(':') + 1);
      queues.put(dlq, aws.sqs.getQueueUrl(r -> r.queueName(dlq)).queueUrl());
    }
    // terraform show takes seconds: only a stack whose page is opened pays for it
    Supplier<JsonNode> body = () -> {
      try {
        return LiveDashboard.appliedBody(terraformState());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    return LiveDashboard.start(new LiveDashboard.Sources(options.workDir().resolve("logs"), body,
        aws.sqs, queues, this::functions, github, () -> agents.aliveCount()), Clock.systemUTC());
  }

  public String dashboardUrl() {
    return liveDashboard.url();
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

  /** What Terraform applied ({@code terraform show -json}); holds secrets, never log it. */
  public JsonNode terraformState() throws IOException {
    return terraform.state();
  }

  public Map<String, SqsEventSource> eventSources() {
    return Map.copyOf(eventSources);
  }

  public Map<String, Schedule> scaleDowns() {
    return Map.copyOf(scaleDowns);
  }

  /** Every timing and limit the stack runs with, and where each came from. */
  public EffectiveSettings settings() {
    return settings;
  }

  /** Every function's execution environments, webhook first. */
  public List<FunctionPool> functions() {
    return List.copyOf(functions.values());
  }

  /** A function's execution environments by function name: its invocations, their times, its JVMs. */
  public FunctionPool function(String name) {
    FunctionPool function = functions.get(name);
    if (function == null) {
      throw new IllegalArgumentException("no function " + name);
    }
    return function;
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
    collectMetrics();
  }

  /**
   * With {@value #COLLECT_EMF} set (the local ITs' failsafe run sets it), the EMF lines the functions
   * wrote go to one file there: the check after all local ITs compares their union with the
   * dashboard's and alarms' metrics (docs/metrics.md).
   */
  private void collectMetrics() {
    String into = System.getProperty(COLLECT_EMF, "");
    if (into.isBlank()) {
      return;
    }
    Path logs = options.workDir().resolve("logs");
    Path file = Path.of(into).resolve(options.prefix() + "-" + ProcessHandle.current().pid() + "-"
        + options.workDir().getFileName() + ".emf");
    try (var files = java.nio.file.Files.list(logs)) {
      java.nio.file.Files.createDirectories(file.getParent());
      List<String> lines = new ArrayList<>();
      for (Path log : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
        try (var text = java.nio.file.Files.lines(log)) {
          text.filter(line -> line.contains("\"_aws\"")).forEach(lines::add);
        }
      }
      java.nio.file.Files.write(file, lines);
    } catch (IOException | UncheckedIOException e) {
      log.warn("metrics not collected", entry("into", file), Log.error(e));
    }
  }
}
