package dev.spotrunner.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs real child JVMs through the AWS runtime interface client against our Runtime API. The
 * "jar" is this module's test-classes directory, which holds {@link TestFunctions}.
 */
class LambdaProcessTest {
  @TempDir static Path logs;
  static LambdaProcess actions;

  @BeforeAll
  static void startFunction() throws Exception {
    actions = new LambdaProcess(spec("actions", TestFunctions.Actions.class.getName() + "::handleRequest",
        Duration.ofSeconds(3)), logs, Clock.systemUTC());
  }

  @AfterAll
  static void stopFunction() {
    actions.close();
  }

  static FunctionSpec spec(String name, String handler, Duration timeout) throws Exception {
    Path classes = Path.of(TestFunctions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return new FunctionSpec(name, null, classes, handler, Map.of("GREETING", "hello from env"),
        timeout, 256);
  }

  static JsonNode body(InvocationResult result) throws Exception {
    return Json.MAPPER.readTree(result.body());
  }

  @Test
  void answersAnInvocationThroughTheRuntimeInterfaceClient() throws Exception {
    InvocationResult result = actions.invoke("{\"action\":\"echo\",\"value\":\"ping\"}");

    assertThat(result.failed()).as(result.body()).isFalse();
    assertThat(body(result).get("echo").asText()).isEqualTo("ping");
    assertThat(body(result).get("function").asText()).isEqualTo("actions");
    assertThat(body(result).get("requestId").asText()).isEqualTo(result.requestId());
  }

  @Test
  void passesTheFunctionsEnvironmentToItsJvm() throws Exception {
    InvocationResult result = actions.invoke("{\"action\":\"env\",\"value\":\"GREETING\"}");

    assertThat(body(result).get("value").asText()).isEqualTo("hello from env");
  }

  @Test
  void reportsAHandlerExceptionAsAnInvocationError() {
    InvocationResult result = actions.invoke("{\"action\":\"fail\"}");

    assertThat(result.failed()).isTrue();
    assertThat(result.body()).contains("asked to fail").contains("IllegalStateException");
  }

  @Test
  void measuresOneColdStartAndReusesTheWarmProcess() {
    actions.invoke("{\"action\":\"echo\",\"value\":\"a\"}");
    actions.invoke("{\"action\":\"echo\",\"value\":\"b\"}");

    assertThat(actions.coldStarts()).hasSize(1);
    assertThat(actions.coldStarts().getFirst().init()).isPositive();
  }

  @Test
  void replacesAProcessThatDiedWithAColdOne() throws Exception {
    try (LambdaProcess dying = new LambdaProcess(
        spec("dying", TestFunctions.Actions.class.getName() + "::handleRequest", Duration.ofSeconds(5)),
        logs, Clock.systemUTC())) {
      InvocationResult died = dying.invoke("{\"action\":\"exit\"}");
      InvocationResult after = dying.invoke("{\"action\":\"echo\",\"value\":\"again\"}");

      assertThat(died.failed()).isTrue();
      assertThat(died.errorType()).isEqualTo("Runtime.ExitError");
      assertThat(body(after).get("echo").asText()).isEqualTo("again");
      assertThat(dying.coldStarts()).hasSize(2);
    }
  }

  @Test
  void stopsAnInvocationAtTheFunctionsTimeout() throws Exception {
    try (LambdaProcess slow = new LambdaProcess(
        spec("slow", TestFunctions.Actions.class.getName() + "::handleRequest", Duration.ofSeconds(1)),
        logs, Clock.systemUTC())) {
      slow.invoke("{\"action\":\"echo\",\"value\":\"warm\"}");

      InvocationResult result = slow.invoke("{\"action\":\"sleep\",\"value\":\"10000\"}");

      assertThat(result.errorType()).isEqualTo("Sandbox.Timedout");
      assertThat(slow.running()).isFalse();
    }
  }

  @Test
  void functionsStartedTogetherAllComeUp() throws Exception {
    List<LambdaProcess> together = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        together.add(new LambdaProcess(spec("together-" + i,
            TestFunctions.Actions.class.getName() + "::handleRequest", Duration.ofSeconds(5)), logs, Clock.systemUTC()));
      }
      for (LambdaProcess process : together) {
        process.start();
      }
      for (LambdaProcess process : together) {
        InvocationResult result = process.invoke("{\"action\":\"echo\",\"value\":\"x\"}");
        assertThat(result.failed()).as(process.spec().name() + ": " + result.body()).isFalse();
      }
    } finally {
      together.forEach(LambdaProcess::close);
    }
  }

  @Test
  void reportsAnInitFailureWithTheHandlersMessage() throws Exception {
    try (LambdaProcess broken = new LambdaProcess(
        spec("broken", TestFunctions.BrokenInit.class.getName() + "::handleRequest", Duration.ofSeconds(5)),
        logs, Clock.systemUTC())) {
      InvocationResult result = broken.invoke("{}");

      assertThat(result.failed()).isTrue();
      assertThat(result.body()).contains("ENVIRONMENT is required");
    }
  }
}
