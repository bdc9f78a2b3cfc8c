package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.spotrunner.common.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every line the webhook writes for a request carries the Lambda request id and the delivery id. */
class WebhookRequestIdTest {
  private final TestWebhooks.Harness harness = new TestWebhooks.Harness();
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @AfterEach
  void restore() {
    Log.setOutput(System.out);
    Log.requestId(null);
  }

  @Test
  void everyLineOfARequestCarriesTheRequestIdAndTheDeliveryId() throws IOException {
    Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String queued = TestWebhooks.workflowJob("queued", 31, "[\"self-hosted\",\"linux\"]");
    Context context = (Context) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Context.class},
        (proxy, method, args) -> "getAwsRequestId".equals(method.getName()) ? "req-31" : null);

    harness.handler.handleRequest(TestWebhooks.event(
        TestWebhooks.headers("workflow_job", "d-31", harness.sign(queued)), queued, false), context);

    List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).isNotEmpty().allSatisfy(line -> {
      Map<String, String> fields = fields(line);
      assertThat(fields).containsEntry("function_request_id", "req-31").containsEntry("delivery_id", "d-31");
    });
  }

  /** The top-level text and number fields of a JSON line (jackson-core only, as the webhook). */
  private static Map<String, String> fields(String line) throws IOException {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser parser = new JsonFactory().createParser(line)) {
      parser.nextToken();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value.isStructStart()) {
          parser.skipChildren();
        } else {
          fields.put(name, parser.getText());
        }
      }
    }
    return fields;
  }
}
