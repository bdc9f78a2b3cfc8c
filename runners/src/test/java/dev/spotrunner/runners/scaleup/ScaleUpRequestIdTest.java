package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every line scale-up writes for an invocation carries its Lambda request id, and the job's lines its job id. */
class ScaleUpRequestIdTest {
  private final Fixture fixture = new Fixture();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @AfterEach
  void restore() {
    Log.setOutput(System.out);
    Log.requestId(null);
    Log.setLevel(Log.Level.INFO);
  }

  @Test
  void everyLineOfTheInvocationCarriesTheRequestId() throws Exception {
    Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Log.setLevel(Log.Level.INFO); // another test class may have quietened the shared logger
    SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
    message.setMessageId("m1");
    message.setBody(Fixture.job(7).toJson());
    message.setAttributes(Map.of("ApproximateReceiveCount", "1"));
    SQSEvent event = new SQSEvent();
    event.setRecords(List.of(message));
    Context context = (Context) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Context.class},
        (proxy, method, args) -> "getAwsRequestId".equals(method.getName()) ? "req-7" : null);

    new ScaleUpHandler(fixture.scaleUp()).handleRequest(event, context);

    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertFalse(lines.isEmpty());
    boolean launched = false;
    for (String line : lines) {
      JsonNode json = Json.MAPPER.readTree(line);
      assertEquals("req-7", json.path("function_request_id").asText(), line);
      if ("runner launched".equals(json.path("message").asText())) {
        launched = true;
        assertEquals(7, json.path("job_id").asLong(), line);
        assertEquals("delivery-7", json.path("delivery_id").asText(), line);
      }
    }
    assertEquals(true, launched, "a runner launched: " + String.join("\n", lines));
  }
}
