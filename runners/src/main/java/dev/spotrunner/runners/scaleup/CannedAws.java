package dev.spotrunner.runners.scaleup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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
 * An SDK HTTP client that never opens a connection: it answers the EC2 and SSM calls scale-up makes
 * with fixed, well-formed answers, so {@link Priming} can drive the SDK's whole request pipeline —
 * marshalling, signing, unmarshalling — before a SnapStart snapshot. Counts the calls it saw.
 */
final class CannedAws implements SdkHttpClient {
  private static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";
  private final Map<String, Integer> calls = new ConcurrentHashMap<>();
  private final AtomicLong nextInstance = new AtomicLong(0x0ab0_0000_0000L);

  /** Calls seen by operation, e.g. {@code DescribeInstances}, {@code PutParameter}. */
  Map<String, Integer> calls() {
    return Map.copyOf(calls);
  }

  @Override
  public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
    return new ExecutableHttpRequest() {
      @Override
      public HttpExecuteResponse call() throws IOException {
        byte[] body = new byte[0];
        if (request.contentStreamProvider().isPresent()) {
          try (InputStream in = request.contentStreamProvider().get().newStream()) {
            body = in.readAllBytes();
          }
        }
        String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse(null);
        return target != null ? ssm(target) : ec2(form(new String(body, StandardCharsets.UTF_8)));
      }

      @Override
      public void abort() {
        // nothing in flight
      }
    };
  }

  private HttpExecuteResponse ec2(Map<String, String> form) {
    String action = form.getOrDefault("Action", "");
    calls.merge(action, 1, Integer::sum);
    String inner = switch (action) {
      case "CreateFleet" -> {
        int count = Integer.parseInt(form.getOrDefault(
            "TargetCapacitySpecification.TotalTargetCapacity", "1"));
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < count; i++) {
          ids.append("<item>").append(String.format("i-%017x", nextInstance.getAndIncrement()))
              .append("</item>");
        }
        yield "<fleetId>fleet-00000000-0000-0000-0000-000000000000</fleetId><errorSet/>"
            + "<fleetInstanceSet><item><instanceIds>" + ids + "</instanceIds>"
            + "<lifecycle>spot</lifecycle><instanceType>m7a.large</instanceType></item>"
            + "</fleetInstanceSet>";
      }
      case "CreateTags" -> "<return>true</return>";
      case "TerminateInstances" -> "<instancesSet/>";
      default -> "<reservationSet/>"; // DescribeInstances: nothing running
    };
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + action + "Response xmlns=\""
        + EC2_NS + "\"><requestId>00000000-0000-0000-0000-000000000000</requestId>" + inner + "</"
        + action + "Response>";
    return answer(200, "text/xml;charset=UTF-8", xml);
  }

  private HttpExecuteResponse ssm(String target) {
    String operation = target.substring(target.indexOf('.') + 1);
    calls.merge(operation, 1, Integer::sum);
    return switch (operation) {
      case "PutParameter" -> answer(200, "application/x-amz-json-1.1",
          "{\"Version\":1,\"Tier\":\"Standard\"}");
      case "GetParameter" -> answer(400, "application/x-amz-json-1.1",
          "{\"__type\":\"ParameterNotFound\",\"message\":\"priming\"}");
      default -> answer(200, "application/x-amz-json-1.1", "{}");
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

  private static Map<String, String> form(String body) {
    Map<String, String> values = new HashMap<>();
    for (String pair : body.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        values.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
      }
    }
    return values;
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
