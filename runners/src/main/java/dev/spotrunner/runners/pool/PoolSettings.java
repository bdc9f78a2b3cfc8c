package dev.spotrunner.runners.pool;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.job.RunnerLevel;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One pool's settings, shared by scale-up and scale-down of that pool, read once from environment
 * variables ({@code docs/settings.md}). {@link #fromEnv(Map)} names every missing or malformed
 * variable in one {@link dev.spotrunner.common.config.SettingsException}.
 *
 * @param spotMaxPrice USD per hour, or null for the on-demand price
 * @param runnerNamePrefix runner names are this prefix + the instance id
 * @param ssmConfigPath runner configs live at {@code <ssmConfigPath>/<pool>/<instance-id>}
 */
public record PoolSettings(
    String environment,
    String poolName,
    List<String> labels,
    RunnerLevel level,
    String launchTemplateName,
    List<String> instanceTypes,
    List<String> subnetIds,
    int maxRunners,
    CapacityType capacityType,
    String spotAllocationStrategy,
    String spotMaxPrice,
    boolean onDemandFailover,
    boolean ephemeral,
    boolean useJitConfig,
    String runnerGroup,
    String runnerNamePrefix,
    String ssmConfigPath,
    GitHubAppSettings github) {

  public static final Set<String> ALLOCATION_STRATEGIES = Set.of("price-capacity-optimized",
      "capacity-optimized", "capacity-optimized-prioritized", "lowest-price", "diversified");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_.-]+)+");

  public PoolSettings {
    labels = List.copyOf(labels);
    instanceTypes = List.copyOf(instanceTypes);
    subnetIds = List.copyOf(subnetIds);
  }

  /** Reads and checks every pool variable; throws one error naming every problem. */
  public static PoolSettings fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    PoolSettings settings = read(env);
    env.check();
    return settings;
  }

  /** Reads the pool variables, recording problems in {@code env} (for settings that add their own). */
  public static PoolSettings read(Env env) {
    String environment = env.parsed(LambdaVariable.ENVIRONMENT, PoolSettings::name, null);
    if (environment == null) {
      env.required(LambdaVariable.ENVIRONMENT);
      environment = "";
    }
    String pool = env.parsed(LambdaVariable.POOL_NAME, PoolSettings::name, null);
    if (pool == null) {
      env.required(LambdaVariable.POOL_NAME);
      pool = "";
    }
    List<String> labels = requiredList(env, LambdaVariable.POOL_LABELS);
    RunnerLevel level = env.oneOf(LambdaVariable.RUNNER_LEVEL, RunnerLevel.class, RunnerLevel.ORG);
    String template = env.required(LambdaVariable.LAUNCH_TEMPLATE_NAME);
    List<String> types = requiredList(env, LambdaVariable.INSTANCE_TYPES);
    List<String> subnets = requiredList(env, LambdaVariable.SUBNET_IDS);
    int max = env.integer(LambdaVariable.MAX_RUNNERS, 10, 0, 10_000);
    CapacityType capacity =
        env.oneOf(LambdaVariable.CAPACITY_TYPE, CapacityType.class, CapacityType.SPOT);
    String strategy = env.parsed(LambdaVariable.SPOT_ALLOCATION_STRATEGY,
        PoolSettings::strategy, "price-capacity-optimized");
    String maxPrice = env.parsed(LambdaVariable.SPOT_MAX_PRICE, PoolSettings::price, null);
    boolean failover = env.bool(LambdaVariable.ON_DEMAND_FAILOVER, true);
    boolean ephemeral = env.bool(LambdaVariable.EPHEMERAL, true);
    boolean jit = env.bool(LambdaVariable.USE_JIT_CONFIG, true);
    String group = env.optional(LambdaVariable.RUNNER_GROUP, "Default");
    String prefix = env.optional(LambdaVariable.RUNNER_NAME_PREFIX, environment + "-");
    String path = env.parsed(LambdaVariable.SSM_CONFIG_PATH, PoolSettings::path,
        "/" + environment + "/runners");
    GitHubAppSettings github = GitHubAppSettings.readWithShare(env);
    return new PoolSettings(environment, pool, labels, level, template, types, subnets, max,
        capacity, strategy, maxPrice, failover, ephemeral, jit, group, prefix, path, github);
  }

  /** Ephemeral pools use JIT configs unless switched off (GHES without JIT); persistent never. */
  public boolean jit() {
    return ephemeral && useJitConfig;
  }

  /** The SSM parameter holding one instance's runner config. */
  public String configParameter(String instanceId) {
    return ssmConfigPath + "/" + poolName + "/" + instanceId;
  }

  /** The tags that select this pool's instances (and that every launched instance carries). */
  public Map<String, String> poolTags() {
    return Map.of(Tags.ENVIRONMENT, environment, Tags.POOL, poolName);
  }

  private static List<String> requiredList(Env env, LambdaVariable variable) {
    List<String> values = env.list(variable, List.of());
    if (values.isEmpty()) {
      env.problem(variable.name() + " is required");
    }
    return values;
  }

  private static String name(String text) {
    if (!NAME.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "must be 1-64 letters, digits, '.', '_' or '-', got '" + text + "'");
    }
    return text;
  }

  private static String strategy(String text) {
    if (!ALLOCATION_STRATEGIES.contains(text)) {
      throw new IllegalArgumentException("must be one of " + ALLOCATION_STRATEGIES.stream().sorted()
          .toList() + ", got '" + text + "'");
    }
    return text;
  }

  private static String price(String text) {
    BigDecimal price;
    try {
      price = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a price in USD per hour, got '" + text + "'");
    }
    if (price.signum() <= 0) {
      throw new IllegalArgumentException("must be positive, got '" + text + "'");
    }
    return price.toPlainString();
  }

  private static String path(String text) {
    String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    if (!PATH.matcher(trimmed).matches()) {
      throw new IllegalArgumentException("must be an SSM path such as /prod/runners, got '" + text + "'");
    }
    return trimmed;
  }
}
