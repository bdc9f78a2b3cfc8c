package dev.spotrunner.runners.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.config.SettingsException;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.job.RunnerLevel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolSettingsTest {

  static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("ENVIRONMENT", "prod");
    env.put("POOL_NAME", "linux");
    env.put("POOL_LABELS", "self-hosted, linux ,x64");
    env.put("LAUNCH_TEMPLATE_NAME", "prod-linux");
    env.put("INSTANCE_TYPES", "m7a.large,m6i.large");
    env.put("SUBNET_IDS", "subnet-1,subnet-2");
    env.put("GITHUB_APP_ID_PARAM", "/prod/app/id");
    env.put("GITHUB_APP_KEY_PARAM", "/prod/app/key");
    return env;
  }

  @Test
  void appliesTheDocumentedDefaults() {
    PoolSettings settings = PoolSettings.fromEnv(minimal());

    assertEquals(List.of("self-hosted", "linux", "x64"), settings.labels());
    assertEquals(RunnerLevel.ORG, settings.level());
    assertEquals(10, settings.maxRunners());
    assertEquals(CapacityType.SPOT, settings.capacityType());
    assertEquals("price-capacity-optimized", settings.spotAllocationStrategy());
    assertNull(settings.spotMaxPrice());
    assertTrue(settings.onDemandFailover());
    assertTrue(settings.jit());
    assertEquals("Default", settings.runnerGroup());
    assertEquals("prod-", settings.runnerNamePrefix());
    assertEquals("/prod/runners", settings.ssmConfigPath());
    assertEquals("/prod/runners/linux/i-0abc", settings.configParameter("i-0abc"));
    assertEquals("https://api.github.com", settings.github().apiUrl().toString());
    assertEquals("https://github.com", settings.github().webUrl());
  }

  @Test
  void readsEveryOverride() {
    Map<String, String> env = minimal();
    env.put("RUNNER_LEVEL", "repo");
    env.put("MAX_RUNNERS", "3");
    env.put("CAPACITY_TYPE", "on-demand");
    env.put("SPOT_ALLOCATION_STRATEGY", "capacity-optimized");
    env.put("SPOT_MAX_PRICE", "0.050");
    env.put("ON_DEMAND_FAILOVER", "false");
    env.put("EPHEMERAL", "false");
    env.put("RUNNER_GROUP", "ci");
    env.put("RUNNER_NAME_PREFIX", "x-");
    env.put("SSM_CONFIG_PATH", "/custom/path/");
    env.put("GITHUB_API_URL", "https://ghe.example.com/api/v3/");

    PoolSettings settings = PoolSettings.fromEnv(env);

    assertEquals(RunnerLevel.REPO, settings.level());
    assertEquals(3, settings.maxRunners());
    assertEquals(CapacityType.ON_DEMAND, settings.capacityType());
    assertEquals("capacity-optimized", settings.spotAllocationStrategy());
    assertEquals("0.050", settings.spotMaxPrice());
    assertFalse(settings.onDemandFailover());
    assertFalse(settings.jit(), "persistent pools use registration tokens");
    assertEquals("ci", settings.runnerGroup());
    assertEquals("x-", settings.runnerNamePrefix());
    assertEquals("/custom/path", settings.ssmConfigPath());
    assertTrue(settings.github().enterpriseServer());
    assertEquals("https://ghe.example.com", settings.github().webUrl());
  }

  @Test
  void ephemeralWithoutJitIsAllowedForEnterpriseServer() {
    Map<String, String> env = minimal();
    env.put("USE_JIT_CONFIG", "false");

    PoolSettings settings = PoolSettings.fromEnv(env);

    assertTrue(settings.ephemeral());
    assertFalse(settings.jit());
  }

  @Test
  void namesEveryMissingOrMalformedVariableInOneError() {
    Map<String, String> env = new HashMap<>();
    env.put("MAX_RUNNERS", "many");
    env.put("SPOT_MAX_PRICE", "-1");
    env.put("SPOT_ALLOCATION_STRATEGY", "cheapest");
    env.put("CAPACITY_TYPE", "reserved");

    SettingsException error = assertThrows(SettingsException.class, () -> PoolSettings.fromEnv(env));

    for (String name : List.of("ENVIRONMENT", "POOL_NAME", "POOL_LABELS", "LAUNCH_TEMPLATE_NAME",
        "INSTANCE_TYPES", "SUBNET_IDS", "MAX_RUNNERS", "SPOT_MAX_PRICE", "SPOT_ALLOCATION_STRATEGY",
        "CAPACITY_TYPE", "GITHUB_APP_ID_PARAM", "GITHUB_APP_KEY_PARAM")) {
      assertTrue(error.getMessage().contains(name), () -> name + " missing from " + error.getMessage());
    }
  }
}
