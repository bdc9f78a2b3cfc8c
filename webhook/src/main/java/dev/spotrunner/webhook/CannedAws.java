package dev.spotrunner.webhook;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;

/**
 * An SDK HTTP client that never opens a connection: it answers the webhook's two AWS calls with
 * fixed, well-formed JSON — SQS SendMessage with a message id, SSM GetParameter with {@code value}
 * for {@code name} and ParameterNotFound for any other name — so {@link Priming} can drive the
 * SDK's whole request pipeline (marshalling, signing, retries' bookkeeping, unmarshalling, error
 * mapping) before a SnapStart snapshot. Counts the calls it saw by operation.
 */
final class CannedAws implements SdkHttpClient {
  private final String name;
  private final String value;
  private final Map<String, Integer> calls = new ConcurrentHashMap<>();
  private final AtomicLong messages = new AtomicLong();

  CannedAws(String name, String value) {
    this.name = name;
    this.value = value;
  }

  /** Calls seen by operation: {@code SendMessage}, {@code GetParameter}. */
  Map<String, Integer> calls() {
    return Map.copyOf(calls);
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        String body = "";
        if (request.contentStreamProvider().isPresent()) {
          try (InputStream in = request.contentStreamProvider().get().newStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
        }
        String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
        String operation = target.substring(target.indexOf('.') + 1);
        calls.merge(operation, 1, Integer::sum);
        return switch (operation) {
          case "SendMessage" -> answer(200, "application/x-amz-json-1.0",
              "{\"MessageId\":\"priming-" + messages.incrementAndGet() + "\"}");
          case "GetParameter" -> body.contains("\"" + name + "\"")
              ? answer(200, "application/x-amz-json-1.1", "{\"Parameter\":{\"Name\":\"" + name
                  + "\",\"Type\":\"SecureString\",\"Value\":\"" + value + "\",\"Version\":1}}")
              : answer(400, "application/x-amz-json-1.1",
                  "{\"__type\":\"ParameterNotFound\",\"message\":\"priming\"}");
          default -> answer(400, "application/x-amz-json-1.0",
              "{\"__type\":\"UnknownOperationException\",\"message\":\"priming\"}");
        };
      }

      @Override
      public void abort() {
        // nothing in flight
      }
    };
  }

  private static HttpExecuteResponse answer(int status, String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SdkHttpFullResponse response = SdkHttpFullResponse.builder().statusCode(status)
        .putHeader("Content-Type", contentType)
        .putHeader("Content-Length", Integer.toString(bytes.length))
        .putHeader("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        .build();
    return HttpExecuteResponse.builder().response(response)
        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(bytes))).build();
  }

  @Override
  public String clientName() {
    return "spotrunner-priming";
  }

  @Override
  public void close() {
    // nothing to release
  }
}
