package dev.spotrunner.runners.scaledown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.config.SettingsException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleDownSettingsTest {

  @Test
  void appliesTheDocumentedDefaults() {
    ScaleDownSettings settings = ScaleDownSettings.fromEnv(Fixture.baseEnv());

    assertEquals(Duration.ofMinutes(5), settings.minimumRunningTime());
    assertEquals(Duration.ofMinutes(5), settings.bootGrace());
    assertTrue(settings.warmWindows().isEmpty());
    assertEquals(Eviction.OLDEST, settings.eviction());
    assertEquals("linux", settings.pool().poolName());
    assertEquals("/prod/runners/linux/owners", ScaleDown.ownersParameter(settings.pool()));
  }

  @Test
  void readsWarmWindowsWithTimeZoneAndOwner() {
    Map<String, String> env = Fixture.baseEnv();
    env.put("WARM_WINDOWS", "[{\"cron\":\"* 8-17 * * 1-5\",\"timeZone\":\"America/New_York\","
        + "\"idle\":3,\"owner\":\"acme\"},{\"cron\":\"* * * * *\",\"idle\":1}]");
    env.put("MINIMUM_RUNNING_TIME_MINUTES", "10");
    env.put("WARM_EVICTION", "newest");

    ScaleDownSettings settings = ScaleDownSettings.fromEnv(env);

    assertEquals(2, settings.warmWindows().size());
    assertEquals(ZoneId.of("America/New_York"), settings.warmWindows().get(0).timeZone());
    assertEquals(ZoneId.of("UTC"), settings.warmWindows().get(1).timeZone());
    assertEquals(Duration.ofMinutes(10), settings.minimumRunningTime());
    assertEquals(Eviction.NEWEST, settings.eviction());
    // Wednesday 15:00 UTC is 10:00 in New York: both windows on, the larger wins.
    assertEquals(3, WarmWindow.idleAt(settings.warmWindows(), Instant.parse("2026-11-25T15:00:00Z")));
    assertEquals(1, WarmWindow.idleAt(settings.warmWindows(), Instant.parse("2026-11-25T03:00:00Z")));
  }

  @Test
  void namesEveryMalformedVariableInOneError() {
    Map<String, String> env = Fixture.baseEnv();
    env.put("WARM_WINDOWS", "[{\"cron\":\"* * *\",\"idle\":1}]");
    env.put("BOOT_GRACE_MINUTES", "-1");
    env.put("WARM_EVICTION", "random");
    env.remove("POOL_NAME");

    SettingsException error =
        assertThrows(SettingsException.class, () -> ScaleDownSettings.fromEnv(env));

    assertEquals(4, error.problems().size(), error.getMessage());
    assertTrue(error.getMessage().contains("WARM_WINDOWS is malformed: window 0: cron"));
    assertTrue(error.getMessage().contains("BOOT_GRACE_MINUTES"));
    assertTrue(error.getMessage().contains("WARM_EVICTION"));
    assertTrue(error.getMessage().contains("POOL_NAME"));
  }

  @Test
  void rejectsAWindowWithoutAnIdleCountOrWithAnUnknownZone() {
    Map<String, String> env = Fixture.baseEnv();
    env.put("WARM_WINDOWS", "[{\"cron\":\"* * * * *\",\"timeZone\":\"Mars/Olympus\",\"idle\":1}]");
    assertTrue(assertThrows(SettingsException.class, () -> ScaleDownSettings.fromEnv(env))
        .getMessage().contains("unknown timeZone"));
    env.put("WARM_WINDOWS", "[{\"cron\":\"* * * * *\"}]");
    assertTrue(assertThrows(SettingsException.class, () -> ScaleDownSettings.fromEnv(env))
        .getMessage().contains("idle must be"));
  }
}
