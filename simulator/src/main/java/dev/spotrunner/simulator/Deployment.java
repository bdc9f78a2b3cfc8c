package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Terraform configuration deploys, as far as scaling goes: per pool the environment of its
 * scale-up and scale-down functions, its queue (delay, visibility timeout, receives before the DLQ),
 * the event source mapping (batch size, batching window, maximum concurrency), scale-up's reserved
 * concurrency and scale-down's schedule; and the webhook's {@code POOLS}. Every value carries the
 * Terraform address it was read from. Built by {@link #fromState} from the resources Terraform
 * applied ({@link TerraformReader}); never written by hand.
 */
public record Deployment(String configuration, String webhookPools, String webhookPoolsSource,
    List<DeployedPool> pools, InterruptionFunction interruptions) {

  public Deployment {
    if (pools == null || pools.isEmpty()) {
      throw new IllegalArgumentException(configuration + " deploys no pool (no scale-up function)");
    }
    pools = List.copyOf(pools);
  }

  /** A deployment without the interruption function ({@code spot_interruptions.enabled} false). */
  public Deployment(String configuration, String webhookPools, String webhookPoolsSource,
      List<DeployedPool> pools) {
    this(configuration, webhookPools, webhookPoolsSource, pools, null);
  }

  /**
   * The spot interruption function as deployed (docs/interruptions.md): its environment
   * ({@code INTERRUPTION_POOLS} holds each pool's re-run rules and breaker thresholds) and the
   * schedule of its follow-up (re-runs, breakers moving to half-open and closed).
   */
  public record InterruptionFunction(Map<String, String> env, String schedule,
      Map<String, String> sources) {
    public InterruptionFunction {
      env = Map.copyOf(env);
      sources = Map.copyOf(sources);
    }

    public int followUpEveryMinutes() {
      return everyMinutes("the interruption function", schedule);
    }
  }

  /**
   * How many GitHub Apps scale-up and scale-down use: Terraform's list of Apps, as it gives each
   * function their id parameters ({@code GITHUB_APP_ID_PARAM}, comma-separated).
   */
  public int githubApps() {
    java.util.Set<Integer> counts = new java.util.TreeSet<>();
    for (DeployedPool pool : pools) {
      for (Map<String, String> env : List.of(pool.scaleUpEnv(), pool.scaleDownEnv())) {
        counts.add((int) java.util.Arrays.stream(env.getOrDefault("GITHUB_APP_ID_PARAM", "")
            .split(",")).filter(p -> !p.isBlank()).count());
      }
    }
    if (counts.size() != 1 || counts.contains(0)) {
      throw new IllegalArgumentException(configuration + ": the functions name different numbers "
          + "of GitHub Apps " + counts);
    }
    return counts.iterator().next();
  }

  /** One pool as deployed. {@code sources} maps each setting name to its Terraform address. */
  public record DeployedPool(
      String name,
      Map<String, String> scaleUpEnv,
      Map<String, String> scaleDownEnv,
      int queueDelaySeconds,
      int visibilityTimeoutSeconds,
      int maxReceiveCount,
      String deadLetterTarget,
      int batchSize,
      int batchWindowSeconds,
      Integer maximumConcurrency,
      Integer scaleUpReservedConcurrency,
      int scaleUpTimeoutSeconds,
      String scaleDownSchedule,
      Map<String, String> sources,
      String bootPath) {
    public DeployedPool {
      bootPath = bootPath == null || bootPath.isBlank() ? "install" : bootPath;
      scaleUpEnv = Map.copyOf(scaleUpEnv);
      scaleDownEnv = Map.copyOf(scaleDownEnv);
      sources = Map.copyOf(sources);
    }

    /** How many scale-up invocations of this pool Lambda runs at once (unset: no cap of ours). */
    public int scaleUpConcurrency() {
      int cap = Integer.MAX_VALUE;
      if (scaleUpReservedConcurrency != null && scaleUpReservedConcurrency >= 0) {
        cap = scaleUpReservedConcurrency;
      }
      if (maximumConcurrency != null && maximumConcurrency > 0) {
        cap = Math.min(cap, maximumConcurrency);
      }
      return cap;
    }

    /** Minutes between scale-down runs, from {@code rate(N minutes|hours)}. */
    public int scaleDownEveryMinutes() {
      return everyMinutes("pool " + name + ": scale-down", scaleDownSchedule);
    }
  }

  static int everyMinutes(String what, String schedule) {
    Matcher rate = RATE.matcher(schedule.trim());
    if (!rate.matches()) {
      throw new IllegalArgumentException(what + " schedule " + schedule
          + " is not rate(N minutes|hours); the simulator replays rates only");
    }
    int n = Integer.parseInt(rate.group(1));
    return rate.group(2).startsWith("hour") ? n * 60 : rate.group(2).startsWith("day") ? n * 1440 : n;
  }

  private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minutes?|hours?|days?)\\)");

  /** One row of the settings table the report prints: what, its value and where it came from. */
  public record Setting(String pool, String name, String value, String source) {}

  /** Every setting the simulator takes from this deployment, with its source. */
  public List<Setting> settings() {
    List<Setting> out = new ArrayList<>();
    out.add(new Setting("webhook", "POOLS", webhookPools, webhookPoolsSource));
    for (DeployedPool pool : pools) {
      Map<String, String> values = new LinkedHashMap<>();
      values.put("launch_template.boot_path", pool.bootPath());
      values.put("queue.delay_seconds", Integer.toString(pool.queueDelaySeconds()));
      values.put("queue.visibility_timeout_seconds", Integer.toString(pool.visibilityTimeoutSeconds()));
      values.put("queue.maxReceiveCount", Integer.toString(pool.maxReceiveCount()));
      values.put("queue.deadLetterTargetArn", pool.deadLetterTarget());
      values.put("mapping.batch_size", Integer.toString(pool.batchSize()));
      values.put("mapping.maximum_batching_window_in_seconds",
          Integer.toString(pool.batchWindowSeconds()));
      values.put("mapping.maximum_concurrency", String.valueOf(pool.maximumConcurrency()));
      values.put("scale_up.reserved_concurrent_executions",
          String.valueOf(pool.scaleUpReservedConcurrency()));
      values.put("scale_up.timeout", Integer.toString(pool.scaleUpTimeoutSeconds()));
      values.put("scale_down.schedule_expression", pool.scaleDownSchedule());
      values.forEach((k, v) -> out.add(new Setting(pool.name(), k, v, pool.sources().get(k))));
      if (pool.scaleUpEnv().containsKey("GITHUB_APP_ID_PARAM")) {
        out.add(new Setting(pool.name(), "github_apps", Integer.toString(githubApps()),
            pool.sources().get("scale_up.environment") + ".GITHUB_APP_ID_PARAM"));
      }
      new TreeMap<>(pool.scaleUpEnv()).forEach((k, v) -> out.add(new Setting(pool.name(),
          "scale_up." + k, v, pool.sources().get("scale_up.environment"))));
      new TreeMap<>(pool.scaleDownEnv()).forEach((k, v) -> out.add(new Setting(pool.name(),
          "scale_down." + k, v, pool.sources().get("scale_down.environment"))));
    }
    if (interruptions != null) {
      out.add(new Setting("interruptions", "schedule_expression", interruptions.schedule(),
          interruptions.sources().get("schedule_expression")));
      new TreeMap<>(interruptions.env()).forEach((k, v) -> out.add(new Setting("interruptions",
          k, v, interruptions.sources().get("environment"))));
    }
    return out;
  }

  // ---- reading the applied resources ------------------------------------------------------

  private record Resource(String address, String module, String type, JsonNode values) {}

  /**
   * Reads a deployment from Terraform's JSON state values ({@code terraform show -json}'s
   * {@code values.root_module}, or a test run's state): a pool is the module instance around the
   * modules/function call whose handler is scale-up's; its queue, mapping, scale-down function and
   * schedule are the resources of that module instance and the module calls inside it.
   */
  public static Deployment fromState(String configuration, JsonNode rootModule) {
    List<Resource> resources = new ArrayList<>();
    collect(rootModule, resources);
    String pools = null;
    String poolsSource = null;
    List<DeployedPool> deployed = new ArrayList<>();
    InterruptionFunction interruptions = null;
    for (Resource function : resources) {
      if (!function.type().equals("aws_lambda_function")) {
        continue;
      }
      Map<String, String> env = environment(function.values());
      if (env.containsKey("POOLS")) {
        if (pools != null) {
          throw new IllegalArgumentException(configuration + " has two webhook functions");
        }
        pools = env.get("POOLS");
        poolsSource = function.address() + ".environment.variables.POOLS";
      }
      if (handler(function).endsWith("ScaleUpHandler::handleRequest")) {
        deployed.add(pool(configuration, function, resources));
      }
      if (handler(function).endsWith("InterruptionHandler::handleRequest")) {
        interruptions = interruptions(configuration, function, resources);
      }
    }
    if (pools == null) {
      throw new IllegalArgumentException(configuration + " deploys no webhook (no POOLS variable)");
    }
    return new Deployment(configuration, pools, poolsSource, deployed, interruptions);
  }

  private static InterruptionFunction interruptions(String configuration, Resource function,
      List<Resource> all) {
    List<Resource> mine = all.stream().filter(r -> r.module().equals(function.module())).toList();
    Resource rule = one(configuration + " interruption function (" + function.module() + ")", mine,
        "aws_cloudwatch_event_rule",
        r -> !r.values().path("schedule_expression").asText("").isBlank());
    return new InterruptionFunction(environment(function.values()),
        rule.values().path("schedule_expression").asText(),
        Map.of("environment", function.address() + ".environment.variables",
            "schedule_expression", rule.address() + ".schedule_expression"));
  }

  private static DeployedPool pool(String configuration, Resource scaleUp, List<Resource> all) {
    // every function is a modules/function call: the pool's module is the one that calls it
    String module = scaleUp.module().substring(0, Math.max(0, scaleUp.module().lastIndexOf(".module.")));
    List<Resource> mine = all.stream()
        .filter(r -> r.module().equals(module) || r.module().startsWith(module + ".module.")).toList();
    Map<String, String> upEnv = environment(scaleUp.values());
    String name = upEnv.get("POOL_NAME");
    String where = configuration + " pool " + name + " (" + module + ")";
    Resource scaleDown = one(where, mine, "aws_lambda_function",
        r -> handler(r).endsWith("ScaleDownHandler::handleRequest"));
    // the job queue is the one whose redrive policy names a DLQ (a DLQ's own is unset or mocked)
    Resource queue = one(where, mine, "aws_sqs_queue",
        r -> r.values().path("redrive_policy").asText("").contains("deadLetterTargetArn"));
    Resource mapping = one(where, mine, "aws_lambda_event_source_mapping", r -> true);
    Resource rule = one(where, mine, "aws_cloudwatch_event_rule",
        r -> !r.values().path("schedule_expression").asText("").isBlank());
    JsonNode redrive = Json.MAPPER.valueToTree(
        Json.read(queue.values().path("redrive_policy").asText(), Map.class));
    JsonNode scaling = mapping.values().path("scaling_config");
    Integer maxConcurrency = scaling.isArray() && !scaling.isEmpty()
        && scaling.get(0).hasNonNull("maximum_concurrency")
        ? scaling.get(0).get("maximum_concurrency").asInt() : null;
    JsonNode reserved = scaleUp.values().path("reserved_concurrent_executions");
    List<Resource> templates = mine.stream()
        .filter(r -> r.type().equals("aws_launch_template")).toList();
    String bootPath = templates.size() == 1 ? bootPath(templates.getFirst().values().path("user_data").asText("")) : null;
    Map<String, String> sources = new LinkedHashMap<>();
    if (templates.size() == 1) {
      sources.put("launch_template.boot_path", templates.getFirst().address()
          + ".user_data (SPOTRUNNER_BOOT, or start-runner.ps1 -Boot)");
    }
    sources.put("queue.delay_seconds", queue.address() + ".delay_seconds");
    sources.put("queue.visibility_timeout_seconds", queue.address() + ".visibility_timeout_seconds");
    sources.put("queue.maxReceiveCount", queue.address() + ".redrive_policy.maxReceiveCount");
    sources.put("queue.deadLetterTargetArn", queue.address() + ".redrive_policy.deadLetterTargetArn");
    sources.put("mapping.batch_size", mapping.address() + ".batch_size");
    sources.put("mapping.maximum_batching_window_in_seconds",
        mapping.address() + ".maximum_batching_window_in_seconds");
    sources.put("mapping.maximum_concurrency", mapping.address() + ".scaling_config[0].maximum_concurrency");
    sources.put("scale_up.reserved_concurrent_executions",
        scaleUp.address() + ".reserved_concurrent_executions");
    sources.put("scale_up.timeout", scaleUp.address() + ".timeout");
    sources.put("scale_down.schedule_expression", rule.address() + ".schedule_expression");
    sources.put("scale_up.environment", scaleUp.address() + ".environment.variables");
    sources.put("scale_down.environment", scaleDown.address() + ".environment.variables");
    return new DeployedPool(name, upEnv, environment(scaleDown.values()),
        queue.values().path("delay_seconds").asInt(0),
        required(where, queue, "visibility_timeout_seconds").asInt(),
        required(where, redrive, "maxReceiveCount").asInt(),
        redrive.path("deadLetterTargetArn").asText(),
        required(where, mapping, "batch_size").asInt(),
        mapping.values().path("maximum_batching_window_in_seconds").asInt(0),
        maxConcurrency,
        reserved.isNull() || reserved.isMissingNode() ? null : reserved.asInt(),
        required(where, scaleUp, "timeout").asInt(),
        rule.values().path("schedule_expression").asText(),
        sources, bootPath);
  }

  /**
   * The boot path the pool's user_data declares: Linux user_data sets
   * {@code SPOTRUNNER_BOOT='install'}, Windows user_data ({@code <powershell>}) calls
   * start-runner.ps1 with {@code -Boot 'install'} and reads as {@code windows-install} (or
   * {@code windows-prebuilt}); {@link #NONE} when the pool has no user_data (user_data off: an
   * image that starts its runner itself), {@link #CUSTOM} for a user_data that declares neither
   * (the pool's own template). The simulator has no boot time for the last two
   * ({@link Scenario#bootFor}).
   */
  static String bootPath(String encoded) {
    if (encoded.isBlank()) {
      return NONE;
    }
    String text;
    try {
      text = new String(java.util.Base64.getDecoder().decode(encoded.strip()),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      text = encoded;
    }
    Matcher windows = WINDOWS_BOOT.matcher(text);
    if (text.contains("<powershell>") && windows.find()) {
      return "windows-" + windows.group(1);
    }
    Matcher linux = LINUX_BOOT.matcher(text);
    return linux.find() ? linux.group(1) : CUSTOM;
  }

  /** The boot path of a pool without user_data. */
  static final String NONE = "none";
  /** The boot path of a pool whose own user_data template declares no boot path. */
  static final String CUSTOM = "custom";
  private static final Pattern LINUX_BOOT = Pattern.compile("SPOTRUNNER_BOOT='([a-z-]+)'");
  private static final Pattern WINDOWS_BOOT = Pattern.compile("-Boot '([a-z-]+)'");

  private static JsonNode required(String where, Resource resource, String attribute) {
    JsonNode value = resource.values().path(attribute);
    if (value.isNull() || value.isMissingNode()) {
      throw new IllegalArgumentException(where + ": " + resource.address() + " has no " + attribute);
    }
    return value;
  }

  private static JsonNode required(String where, JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isNull() || value.isMissingNode()) {
      throw new IllegalArgumentException(where + ": the queue's redrive policy has no " + field);
    }
    return value;
  }

  private static Resource one(String where, List<Resource> resources, String type,
      Predicate<Resource> which) {
    List<Resource> found = resources.stream().filter(r -> r.type().equals(type)).filter(which).toList();
    if (found.size() != 1) {
      throw new IllegalArgumentException(where + ": expected one " + type + ", found "
          + found.stream().map(Resource::address).toList());
    }
    return found.getFirst();
  }

  private static String handler(Resource function) {
    return function.values().path("handler").asText("");
  }

  private static Map<String, String> environment(JsonNode function) {
    Map<String, String> env = new TreeMap<>();
    JsonNode environment = function.path("environment");
    if (environment.isArray() && !environment.isEmpty()) {
      environment.get(0).path("variables").fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    return env;
  }

  private static void collect(JsonNode module, List<Resource> into) {
    String address = module.path("address").asText("");
    for (JsonNode resource : module.path("resources")) {
      if ("managed".equals(resource.path("mode").asText("managed"))) {
        into.add(new Resource(resource.path("address").asText(), address,
            resource.path("type").asText(), resource.path("values")));
      }
    }
    for (JsonNode child : module.path("child_modules")) {
      collect(child, into);
    }
  }
}
