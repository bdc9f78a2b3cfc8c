package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.config.LambdaFunction;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.config.SettingsException;
import org.junit.jupiter.api.Test;

class ScaleUpSettingsTest {

  @Test
  void checksWhetherJobsStillWaitByDefault() {
    assertTrue(new Fixture().settings().jobQueuedCheck());
    assertFalse(new Fixture().set("JOB_QUEUED_CHECK", "false").settings().jobQueuedCheck());
  }

  @Test
  void namesAPoolProblemAndACheckProblemInOneError() {
    Fixture fixture = new Fixture().set("JOB_QUEUED_CHECK", "sometimes").set("MAX_RUNNERS", "-1");

    SettingsException error = assertThrows(SettingsException.class, fixture::settings);

    assertTrue(error.getMessage().contains("JOB_QUEUED_CHECK"), error.getMessage());
    assertTrue(error.getMessage().contains("MAX_RUNNERS"), error.getMessage());
  }

  @Test
  void namesAnUnknownLogLevelInTheSameOneError() {
    Fixture fixture = new Fixture().set("LOG_LEVEL", "verbose").set("MAX_RUNNERS", "-1");

    SettingsException error = assertThrows(SettingsException.class, fixture::settings);

    assertTrue(error.getMessage().contains("LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got 'verbose'"),
        error.getMessage());
    assertTrue(error.getMessage().contains("MAX_RUNNERS"), error.getMessage());
    assertEquals(1, error.getMessage().split("LOG_LEVEL", -1).length - 1, "named once: " + error.getMessage());
    assertEquals(java.time.Duration.ofSeconds(10),
        new Fixture().set("LOG_LEVEL", "warn").settings().backoff().base(), "a known level in any case");
  }

  @Test
  void readsTheQueueSettingsWithTheDefaultsTerraformAlsoSets() {
    ScaleUpSettings defaults = new Fixture().settings();
    assertTrue(defaults.checkFirstReceive());
    assertEquals(java.time.Duration.ofSeconds(10), defaults.backoff().base());
    assertEquals(java.time.Duration.ofSeconds(40), defaults.backoff().cap());
    assertEquals(null, defaults.launchLock());

    ScaleUpSettings set = new Fixture().set("JOB_CHECK_FIRST_RECEIVE", "false")
        .set("QUEUE_BACKOFF_BASE_SECONDS", "5").set("QUEUE_BACKOFF_MAX_SECONDS", "60")
        .set("DLQ_URL", "https://sqs/1/dlq").set("LAUNCH_LOCK_PARAM", "/prod/launch-locks/linux")
        .set("LAUNCH_LOCK_LEASE_SECONDS", "30").settings();
    assertFalse(set.checkFirstReceive());
    assertEquals(java.time.Duration.ofSeconds(60), set.backoff().cap());
    assertEquals("https://sqs/1/dlq", set.deadLetterUrl());
    assertEquals("/prod/launch-locks/linux", set.launchLock());
    assertEquals(java.time.Duration.ofSeconds(30), set.launchLockLease());
  }

  @Test
  void refusesABackoffCapBelowItsBase() {
    Fixture fixture = new Fixture().set("QUEUE_BACKOFF_BASE_SECONDS", "30")
        .set("QUEUE_BACKOFF_MAX_SECONDS", "10");

    SettingsException error = assertThrows(SettingsException.class, fixture::settings);

    assertTrue(error.getMessage().contains("QUEUE_BACKOFF_MAX_SECONDS"), error.getMessage());
  }

  @Test
  void readsOnlyVariablesDeclaredForScaleUp() {
    for (String name : new Fixture().env.keySet()) {
      assertTrue(LambdaVariable.namesFor(LambdaFunction.SCALE_UP).contains(name), name);
    }
    assertTrue(LambdaVariable.namesFor(LambdaFunction.SCALE_UP).contains("JOB_QUEUED_CHECK"));
  }

  @Test
  void handlerStringMatchesTheClass() {
    String handler = LambdaFunction.SCALE_UP.handler();
    assertTrue(handler.startsWith(ScaleUpHandler.class.getName() + "::handleRequest"), handler);
  }
}
