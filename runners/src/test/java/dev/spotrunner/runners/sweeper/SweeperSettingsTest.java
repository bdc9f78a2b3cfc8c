package dev.spotrunner.runners.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.config.LambdaFunction;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.config.SettingsException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SweeperSettingsTest {
  private static Map<String, String> env(String... overrides) {
    Map<String, String> env = new HashMap<>(Map.of(
        "ENVIRONMENT", "prod",
        "GITHUB_APP_ID_PARAM", "/prod/github-app/id",
        "GITHUB_APP_KEY_PARAM", "/prod/github-app/key"));
    for (int i = 0; i < overrides.length; i += 2) {
      env.put(overrides[i], overrides[i + 1]);
    }
    return env;
  }

  @Test
  void takesTheDocumentedDefaults() {
    SweeperSettings settings = SweeperSettings.fromEnv(env());

    assertEquals(Duration.ofMinutes(60), settings.lookback());
    assertEquals(200, settings.maxPointsPerRun());
    assertEquals("https://api.github.com", settings.github().apiUrl().toString());
  }

  @Test
  void readsWhatTerraformSets() {
    SweeperSettings settings = SweeperSettings.fromEnv(
        env("SWEEPER_LOOKBACK_MINUTES", "180", "SWEEPER_MAX_POINTS", "60"));

    assertEquals(Duration.ofMinutes(180), settings.lookback());
    assertEquals(60, settings.maxPointsPerRun());
  }

  @Test
  void namesEveryBadVariableInOneError() {
    Map<String, String> env = env("SWEEPER_LOOKBACK_MINUTES", "5000", "SWEEPER_MAX_POINTS", "5");
    env.remove("GITHUB_APP_KEY_PARAM");

    SettingsException error = assertThrows(SettingsException.class,
        () -> SweeperSettings.fromEnv(env));

    for (String name : new String[] {"SWEEPER_LOOKBACK_MINUTES", "SWEEPER_MAX_POINTS",
        "GITHUB_APP_KEY_PARAM"}) {
      assertTrue(error.getMessage().contains(name), error.getMessage());
    }
  }

  @Test
  void readsExactlyTheVariablesDeclaredForTheSweeper() {
    assertEquals(Set.of("ENVIRONMENT", "GITHUB_API_URL", "GITHUB_APP_ID_PARAM",
            "GITHUB_APP_KEY_PARAM", "GITHUB_WEB_URL", "SWEEPER_LOOKBACK_MINUTES",
            "SWEEPER_MAX_POINTS"),
        LambdaVariable.namesFor(LambdaFunction.SWEEPER));
    assertEquals("dev.spotrunner.runners.sweeper.SweeperHandler::handleRequest",
        LambdaFunction.SWEEPER.handler());
  }
}
