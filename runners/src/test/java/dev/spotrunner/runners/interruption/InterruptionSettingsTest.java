package dev.spotrunner.runners.interruption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.config.LambdaFunction;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.config.SettingsException;
import dev.spotrunner.common.github.GitHubAppSettings.App;
import dev.spotrunner.runners.breaker.BreakerSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InterruptionSettingsTest {
  private final Map<String, String> env = new HashMap<>(Map.of("ENVIRONMENT", "dev",
      "GITHUB_APP_ID_PARAM", "/dev/app-id", "GITHUB_APP_KEY_PARAM", "/dev/app-key"));

  @Test
  void defaultsAreTheOnesTerraformSets() {
    InterruptionSettings settings = InterruptionSettings.fromEnv(env);
    assertEquals(100, settings.maxPoints());
    assertEquals(Duration.ofHours(6), settings.watch());
    assertEquals(PoolRules.UNKNOWN_POOL, settings.rules("any"));
    assertEquals(new BreakerSettings(3, Duration.ofMinutes(15), Duration.ofMinutes(30)),
        BreakerSettings.DEFAULTS);
  }

  @Test
  void readsEveryPoolsRules() {
    env.put("INTERRUPTION_POOLS", """
        {"linux":{"rerun":true,"max_reruns":1,"breaker_threshold":5,"breaker_window_minutes":20,
        "breaker_cooldown_minutes":60}}""");
    env.put("INTERRUPTION_MAX_POINTS", "50");
    env.put("RERUN_WATCH_HOURS", "2");
    InterruptionSettings settings = InterruptionSettings.fromEnv(env);
    assertEquals(new PoolRules(true, 1, new BreakerSettings(5, Duration.ofMinutes(20),
        Duration.ofMinutes(60))), settings.rules("linux"));
    assertEquals(50, settings.maxPoints());
    assertEquals(Duration.ofHours(2), settings.watch());
  }

  @Test
  void namesEveryBadVariable() {
    env.remove("ENVIRONMENT");
    env.put("INTERRUPTION_POOLS", "{\"linux\":{\"max_reruns\":-1}}");
    env.put("INTERRUPTION_MAX_POINTS", "5");
    env.put("RERUN_WATCH_HOURS", "x");
    SettingsException e =
        assertThrows(SettingsException.class, () -> InterruptionSettings.fromEnv(env));
    for (String name : Set.of("ENVIRONMENT", "INTERRUPTION_POOLS", "INTERRUPTION_MAX_POINTS",
        "RERUN_WATCH_HOURS")) {
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
    assertTrue(e.getMessage().contains("pool linux"), e.getMessage());
  }

  @Test
  void readsOnlyTheVariablesDeclaredForTheFunction() {
    assertEquals(Set.of("ENVIRONMENT", "GITHUB_API_URL", "GITHUB_APP_ID_PARAM",
        "GITHUB_APP_KEY_PARAM", "GITHUB_POINTS_PER_MINUTE", "INTERRUPTION_POOLS",
        "INTERRUPTION_MAX_POINTS", "RERUN_WATCH_HOURS"),
        LambdaVariable.namesFor(LambdaFunction.INTERRUPTIONS));
  }

  @Test
  void readsEveryAppAndThePointsSetAsideForTheFunction() {
    env.put("GITHUB_APP_ID_PARAM", "/dev/app-id,/dev/app2-id");
    env.put("GITHUB_APP_KEY_PARAM", "/dev/app-key,/dev/app2-key");
    env.put("GITHUB_POINTS_PER_MINUTE", "100");
    InterruptionSettings settings = InterruptionSettings.fromEnv(env);
    assertEquals(List.of(new App("/dev/app-id", "/dev/app-key"),
        new App("/dev/app2-id", "/dev/app2-key")), settings.github().apps());
    assertEquals(100, settings.github().pointsPerMinute());

    env.put("GITHUB_POINTS_PER_MINUTE", "4");
    SettingsException e =
        assertThrows(SettingsException.class, () -> InterruptionSettings.fromEnv(env));
    assertTrue(e.getMessage().contains("GITHUB_POINTS_PER_MINUTE"), e.getMessage());
  }
}
