package dev.spotrunner.runners.interruption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.runners.breaker.BreakerSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The interruption function's settings, as Terraform sets them (modules/interruptions):
 * {@code INTERRUPTION_POOLS} (JSON, pool name to its {@link PoolRules}), {@code
 * INTERRUPTION_MAX_POINTS} (GitHub points one invocation may spend on re-runs, default 100) and
 * {@code RERUN_WATCH_HOURS} (how long an interrupted job is followed, default 6); and GitHub's:
 * every App of {@code GITHUB_APP_ID_PARAM}/{@code GITHUB_APP_KEY_PARAM}, and {@code
 * GITHUB_POINTS_PER_MINUTE}, the points of each installation's minute Terraform set aside for
 * this function (warnings, terminations and re-runs together; docs/github-app.md).
 */
public record InterruptionSettings(String environment, GitHubAppSettings github,
    Map<String, PoolRules> pools, int maxPoints, Duration watch) {
  public static final int DEFAULT_MAX_POINTS = 100;
  public static final int DEFAULT_WATCH_HOURS = 6;
  /** A job check (GET) and a re-run (POST), as GitHub's secondary limit counts them. */
  public static final int GET_POINTS = 1;
  public static final int POST_POINTS = 5;

  public InterruptionSettings {
    pools = Map.copyOf(pools);
  }

  public PoolRules rules(String pool) {
    return pools.getOrDefault(pool, PoolRules.UNKNOWN_POOL);
  }

  /** Reads every variable; throws naming all that are missing or malformed. */
  public static InterruptionSettings fromEnv(Map<String, String> values) {
    Env env = new Env(values);
    String environment = env.required(LambdaVariable.ENVIRONMENT);
    // every App, and the points a minute Terraform set aside for this function
    GitHubAppSettings github = GitHubAppSettings.readWithShare(env);
    Map<String, PoolRules> pools = env.parsed(LambdaVariable.INTERRUPTION_POOLS,
        InterruptionSettings::pools, Map.of());
    int points = env.integer(LambdaVariable.INTERRUPTION_MAX_POINTS, DEFAULT_MAX_POINTS,
        GET_POINTS + POST_POINTS, 900);
    Duration watch = Duration.ofHours(env.longValue(LambdaVariable.RERUN_WATCH_HOURS,
        DEFAULT_WATCH_HOURS, 1, 72));
    env.check();
    return new InterruptionSettings(environment, github, pools, points, watch);
  }

  /** {@code {"linux":{"rerun":true,"max_reruns":2,"breaker_threshold":3,...}}}. */
  static Map<String, PoolRules> pools(String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("must be a JSON object of pools");
    }
    Map<String, PoolRules> pools = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> pool = it.next();
      JsonNode p = pool.getValue();
      try {
        pools.put(pool.getKey(), new PoolRules(p.path("rerun").asBoolean(false),
            p.path("max_reruns").asInt(PoolRules.DEFAULT_MAX_RERUNS),
            new BreakerSettings(
                p.path("breaker_threshold").asInt(BreakerSettings.DEFAULT_THRESHOLD),
                Duration.ofMinutes(p.path("breaker_window_minutes")
                    .asInt(BreakerSettings.DEFAULT_WINDOW_MINUTES)),
                Duration.ofMinutes(p.path("breaker_cooldown_minutes")
                    .asInt(BreakerSettings.DEFAULT_COOL_DOWN_MINUTES)))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("pool " + pool.getKey() + ": " + e.getMessage());
      }
    }
    return pools;
  }
}
