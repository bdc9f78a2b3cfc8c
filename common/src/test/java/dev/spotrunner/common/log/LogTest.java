package dev.spotrunner.common.log;

import static dev.spotrunner.common.log.Log.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogTest {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final Log log = Log.of(LogTest.class);

  @BeforeEach
  void capture() {
    Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Log.setLevel(Log.Level.INFO);
  }

  @AfterEach
  void restore() {
    Log.setOutput(System.out);
    Log.requestId(null);
  }

  private JsonNode line() throws Exception {
    String text = captured.toString(StandardCharsets.UTF_8).trim();
    assertEquals(1, text.lines().count(), "one line per decision: " + text);
    return Json.MAPPER.readTree(text);
  }

  @Test
  void writesOneJsonLineWithTheMessageAndTypedFields() throws Exception {
    Log.requestId("req-1");
    log.info("runners launched", entry("pool", "linux"), entry("launched", 2), entry("spot", true));

    JsonNode line = line();
    assertEquals("INFO", line.get("level").asText());
    assertEquals("runners launched", line.get("message").asText());
    assertEquals("linux", line.get("pool").asText());
    assertEquals(2, line.get("launched").asInt());
    assertTrue(line.get("launched").isNumber());
    assertTrue(line.get("spot").asBoolean());
    assertEquals("req-1", line.get("function_request_id").asText());
    assertEquals("LogTest", line.get("logger").asText());
  }

  @Test
  void neverWritesASecretEvenWhenOneIsPassedByMistake() throws Exception {
    String token = "ghs_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    log.warn("token refused " + token, entry("token", token),
        entry("secret", new Secret("hunter2")),
        Log.error(new IllegalStateException("bad credentials for " + token)));

    String text = captured.toString(StandardCharsets.UTF_8);
    assertFalse(text.contains(token), text);
    assertFalse(text.contains("hunter2"), text);
    assertEquals("[redacted]", line().get("secret").asText());
    assertTrue(line().get("failure").asText().startsWith("IllegalStateException: bad credentials"));
  }

  @Test
  void dropsLinesBelowTheLevel() {
    Log.setLevel(Log.Level.WARN);
    log.info("not shown");
    log.debug("not shown either");
    assertEquals("", captured.toString(StandardCharsets.UTF_8));
    Log.setLevel(Log.Level.INFO);
  }

  @Test
  void readsTheLevelFromItsNameAndRefusesAnUnknownOne() {
    assertEquals(Log.Level.DEBUG, Log.parseLevel("debug"));
    assertEquals(Log.Level.ERROR, Log.parseLevel(" ERROR "));
    assertEquals(Log.Level.INFO, Log.parseLevel(null));
    assertEquals(Log.Level.INFO, Log.parseLevel(" "));
    IllegalArgumentException unknown =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Log.parseLevel("verbose"));
    assertTrue(unknown.getMessage().contains("'verbose'"), unknown.getMessage());
  }

  @Test
  void aTaskOnAnotherThreadCarriesTheRequestIdAndFieldsOfTheThreadThatMadeIt() throws Exception {
    Log.requestId("r-7");
    Log.field("job_id", 42L);
    Log.Context context = Log.context();
    java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    try {
      executor.submit(context.wrap(() -> log.info("on a worker"))).get();
      JsonNode carried = line();
      assertEquals("r-7", carried.get("function_request_id").asText());
      assertEquals(42, carried.get("job_id").asLong());

      captured.reset();
      executor.submit(() -> log.info("not wrapped")).get();
      assertFalse(line().has("function_request_id"), "a plain task starts without the request");
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void aWrappedTaskLeavesTheThreadAsItFoundIt() throws Exception {
    Log.requestId("r-1");
    Log.Context first = Log.context();
    Log.requestId("r-2");
    Log.field("delivery_id", "d-2");
    first.wrap(() -> log.info("inside")).run();
    assertEquals("r-1", line().get("function_request_id").asText());

    captured.reset();
    log.info("after");
    JsonNode after = line();
    assertEquals("r-2", after.get("function_request_id").asText());
    assertEquals("d-2", after.get("delivery_id").asText());
  }

  @Test
  void takesTheRequestIdFromTheLambdaContextAndKeepsRequestFieldsOnEveryLine() throws Exception {
    Log.request(contextWithRequestId("c0ffee-1"));
    Log.field("delivery_id", "d-42");
    log.info("job queued", entry("job_id", 7L));
    JsonNode first = line();
    assertEquals("c0ffee-1", first.get("function_request_id").asText());
    assertEquals("d-42", first.get("delivery_id").asText());
    assertEquals(7, first.get("job_id").asLong());

    captured.reset();
    log.info("override", entry("delivery_id", "d-43"));
    String text = captured.toString(StandardCharsets.UTF_8).trim();
    assertEquals(1, text.split("delivery_id", -1).length - 1, "one delivery_id field: " + text);
    assertEquals("d-43", line().get("delivery_id").asText());
  }

  @Test
  void aNewRequestDropsThePreviousRequestsFields() throws Exception {
    Log.requestId("r-1");
    Log.field("delivery_id", "d-1");
    Log.request(contextWithRequestId("r-2"));
    log.info("next request");
    JsonNode line = line();
    assertEquals("r-2", line.get("function_request_id").asText());
    assertFalse(line.has("delivery_id"));

    captured.reset();
    Log.request(null);
    log.info("outside a request");
    assertFalse(line().has("function_request_id"));
  }

  private static com.amazonaws.services.lambda.runtime.Context contextWithRequestId(String id) {
    return (com.amazonaws.services.lambda.runtime.Context) java.lang.reflect.Proxy.newProxyInstance(
        LogTest.class.getClassLoader(),
        new Class<?>[] {com.amazonaws.services.lambda.runtime.Context.class},
        (proxy, method, args) -> "getAwsRequestId".equals(method.getName()) ? id : null);
  }
}
