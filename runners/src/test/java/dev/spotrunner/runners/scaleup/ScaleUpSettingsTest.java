package dev.spotrunner.runners.scaleup;

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
