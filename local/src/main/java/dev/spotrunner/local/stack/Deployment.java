package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.config.LambdaFunction;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.FunctionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What Terraform deployed to the emulated AWS, read back from it: each function's handler,
 * environment, timeout and memory (GetFunctionConfiguration) and reserved concurrency
 * (GetFunctionConcurrency); each pool queue's delay, visibility timeout and redrive policy
 * (GetQueueAttributes) and event source mapping (ListEventSourceMappings); each scheduled rule's
 * expression and target (ListRules, ListTargetsByRule). This is the Terraform → Java contract the
 * local stack exercises: the handlers run with exactly the environment Terraform set, and every
 * timing and limit of the stack is one of these values.
 */
public record Deployment(FunctionSpec webhook, List<Pool> pools, Optional<FunctionSpec> syncer,
    Optional<Rule> syncerRule, Optional<FunctionSpec> interruptions, Optional<Rule> interruptionsRule) {
  private static final Log log = Log.of(Deployment.class);

  /** One pool: its queue, its mapping, its scale-up and scale-down functions and scale-down's rule. */
  public record Pool(String name, Queue queue, Mapping mapping, FunctionSpec scaleUp, FunctionSpec scaleDown,
      Rule scaleDownRule, String configPath) {
    public String queueUrl() {
      return queue.url();
    }
  }

  /** A job queue as SQS reports it: DelaySeconds, VisibilityTimeout and the RedrivePolicy. */
  public record Queue(String url, String arn, int delaySeconds, int visibilityTimeoutSeconds, int maxReceiveCount,
      String deadLetterQueueArn) {}

  /** An SQS event source mapping as Lambda reports it; maximumConcurrency is null when not set. */
  public record Mapping(String uuid, int batchSize, int maximumBatchingWindowSeconds, Integer maximumConcurrency,
      boolean reportBatchItemFailures) {}

  /** A scheduled EventBridge rule that targets a function. */
  public record Rule(String name, String arn, String scheduleExpression) {}

  /**
   * Reads the deployment of environment {@code prefix}.
   *
   * @param root the repository root holding the built jars
   * @param runtimeEnvironment variables Lambda itself sets (region, credentials, endpoint)
   */
  public static Deployment read(LocalAws aws, String prefix, Path root, Map<String, String> runtimeEnvironment) {
    Map<LambdaFunction, List<FunctionSpec>> byRole = new HashMap<>();
    for (FunctionConfiguration listed : aws.lambda.listFunctionsPaginator(r -> {}).functions()) {
      var config = aws.lambda.getFunctionConfiguration(r -> r.functionName(listed.functionName()));
      Map<String, String> env = config.environment() == null ? Map.of() : config.environment().variables();
      if (!prefix.equals(env.get("ENVIRONMENT"))) {
        continue;
      }
      LambdaFunction role = roleOf(config.handler());
      if (role == null) {
        continue;
      }
      Map<String, String> environment = new HashMap<>(env);
      environment.putAll(runtimeEnvironment);
      String api = environment.get("GITHUB_API_URL");
      if (api != null && api.startsWith("https://127.0.0.1:")) {
        // Terraform requires an https GitHub Enterprise URL; on loopback the stand-in serves plain HTTP.
        environment.put("GITHUB_API_URL", "http://" + api.substring("https://".length()));
        String web = environment.get("GITHUB_WEB_URL");
        if (web != null && web.startsWith("https://127.0.0.1:")) {
          environment.put("GITHUB_WEB_URL", "http://" + web.substring("https://".length()));
        }
      }
      Integer reserved = aws.lambda.getFunctionConcurrency(r -> r.functionName(listed.functionName()))
          .reservedConcurrentExecutions();
      FunctionSpec spec = new FunctionSpec(config.functionName(), config.functionArn(), jarOf(root, role),
          config.handler(), environment, Duration.ofSeconds(config.timeout() == null ? 30 : config.timeout()),
          config.memorySize() == null ? 512 : config.memorySize(), reserved);
      byRole.computeIfAbsent(role, r -> new ArrayList<>()).add(spec);
      log.info("function found", entry("function", config.functionName()), entry("role", role),
          entry("variables", env.size()));
    }
    List<FunctionSpec> webhooks = byRole.getOrDefault(LambdaFunction.WEBHOOK, List.of());
    if (webhooks.size() != 1) {
      throw new IllegalStateException("expected one webhook function for environment '" + prefix
          + "', found " + webhooks.size());
    }
    Map<String, FunctionSpec> scaleDowns = new HashMap<>();
    for (FunctionSpec down : byRole.getOrDefault(LambdaFunction.SCALE_DOWN, List.of())) {
      scaleDowns.put(down.environment().get("POOL_NAME"), down);
    }
    Map<String, Rule> ruleByTarget = new HashMap<>();
    String token = null;
    do {
      String page = token;
      var listed = aws.events.listRules(r -> r.nextToken(page));
      for (var rule : listed.rules()) {
        if (rule.scheduleExpression() == null) {
          continue;
        }
        Rule read = new Rule(rule.name(), rule.arn(), rule.scheduleExpression());
        for (var target : aws.events.listTargetsByRule(r -> r.rule(rule.name())).targets()) {
          ruleByTarget.put(target.arn(), read);
        }
      }
      token = listed.nextToken();
    } while (token != null && !token.isEmpty());
    List<EventSourceMappingConfiguration> mappings =
        aws.lambda.listEventSourceMappingsPaginator(r -> {}).eventSourceMappings().stream().toList();
    List<Pool> pools = new ArrayList<>();
    for (FunctionSpec up : byRole.getOrDefault(LambdaFunction.SCALE_UP, List.of())) {
      String pool = up.environment().get("POOL_NAME");
      // The mapping may target a published version (SnapStart): arn:...:function:name:1.
      EventSourceMappingConfiguration mapping = mappings.stream()
          .filter(m -> m.functionArn().equals(up.arn()) || m.functionArn().startsWith(up.arn() + ":"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no event source mapping for " + up.name()));
      String queueName = mapping.eventSourceArn().substring(mapping.eventSourceArn().lastIndexOf(':') + 1);
      String queueUrl = aws.sqs.getQueueUrl(r -> r.queueName(queueName)).queueUrl();
      Queue queue = queue(aws, queueUrl);
      String configPath = up.environment().getOrDefault("SSM_CONFIG_PATH", "/" + prefix + "/runners");
      FunctionSpec down = scaleDowns.get(pool);
      if (down == null) {
        throw new IllegalStateException("pool '" + pool + "' has no scale-down function");
      }
      Mapping readMapping = new Mapping(mapping.uuid(), mapping.batchSize() == null ? 10 : mapping.batchSize(),
          mapping.maximumBatchingWindowInSeconds() == null ? 0 : mapping.maximumBatchingWindowInSeconds(),
          mapping.scalingConfig() == null ? null : mapping.scalingConfig().maximumConcurrency(),
          mapping.functionResponseTypes().contains(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES));
      pools.add(new Pool(pool, queue, readMapping, up, down, ruleFor(ruleByTarget, down), configPath));
    }
    if (pools.isEmpty()) {
      throw new IllegalStateException("no pools (scale-up functions) for environment '" + prefix + "'");
    }
    Optional<FunctionSpec> syncer = byRole.getOrDefault(LambdaFunction.BINARY_SYNCER, List.of()).stream().findFirst();
    // The spot interruption function (modules/interruptions): EC2's events and its follow-up schedule.
    Optional<FunctionSpec> interruptions =
        byRole.getOrDefault(LambdaFunction.INTERRUPTIONS, List.of()).stream().findFirst();
    return new Deployment(webhooks.getFirst(), List.copyOf(pools), syncer,
        syncer.map(s -> ruleFor(ruleByTarget, s)), interruptions,
        interruptions.map(f -> ruleFor(ruleByTarget, f)));
  }

  /** The rule whose target is the function (or one of its versions or aliases). */
  private static Rule ruleFor(Map<String, Rule> ruleByTarget, FunctionSpec function) {
    return ruleByTarget.entrySet().stream()
        .filter(e -> e.getKey().equals(function.arn()) || e.getKey().startsWith(function.arn() + ":"))
        .map(Map.Entry::getValue).findFirst()
        .orElseThrow(() -> new IllegalStateException("no scheduled rule targets " + function.name()));
  }

  private static Queue queue(LocalAws aws, String url) {
    Map<String, String> attributes = aws.sqs.getQueueAttributes(r -> r.queueUrl(url)
        .attributeNames(QueueAttributeName.ALL)).attributesAsStrings();
    String redrive = attributes.get("RedrivePolicy");
    if (redrive == null) {
      throw new IllegalStateException("queue " + url + " has no redrive policy");
    }
    try {
      JsonNode policy = Json.MAPPER.readTree(redrive);
      return new Queue(url, attributes.get("QueueArn"), Integer.parseInt(attributes.getOrDefault("DelaySeconds", "0")),
          Integer.parseInt(attributes.get("VisibilityTimeout")), policy.path("maxReceiveCount").asInt(),
          policy.path("deadLetterTargetArn").asText());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable redrive policy of " + url, e);
    }
  }

  static LambdaFunction roleOf(String handler) {
    for (LambdaFunction function : LambdaFunction.values()) {
      if (function.handler().equals(handler)) {
        return function;
      }
    }
    return null;
  }

  static Path jarOf(Path root, LambdaFunction role) {
    Path jar = switch (role) {
      case WEBHOOK -> root.resolve("webhook/target/spotrunner-webhook.jar");
      case SCALE_UP, SCALE_DOWN, SWEEPER, INTERRUPTIONS ->
          root.resolve("runners/target/spotrunner-runners.jar");
      case BINARY_SYNCER -> root.resolve("binary-syncer/target/spotrunner-binary-syncer.jar");
    };
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing; build first: ./mvnw -B -q package -DskipTests");
    }
    return jar;
  }

  /**
   * The labels a job needs to be routed to a pool: the pool's entry in the webhook's POOLS, or the
   * pool's POOL_LABELS when the webhook reads its pools from SSM.
   */
  public List<String> jobLabels(Pool pool) {
    String pools = webhook.environment().get("POOLS");
    if (pools != null) {
      try {
        for (var entry : Json.MAPPER.readTree(pools)) {
          if (pool.name().equals(entry.path("name").asText())) {
            List<String> labels = new ArrayList<>();
            entry.path("labels").forEach(l -> labels.add(l.asText()));
            return labels;
          }
        }
      } catch (Exception e) {
        // fall through to the scale-up's labels
      }
    }
    return List.of(pool.scaleUp().environment().getOrDefault("POOL_LABELS", "self-hosted").split(","));
  }

  public Optional<Pool> pool(String name) {
    return pools.stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
