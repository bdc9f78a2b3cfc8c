package dev.spotrunner.local.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The events AWS hands the functions, in AWS's JSON shapes: API Gateway HTTP API (payload 2.0),
 * SQS batches, and EventBridge scheduled events; and the answers read back from them.
 */
public final class Events {
  private static final DateTimeFormatter API_GATEWAY_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Events() {}

  /** An HTTP request as API Gateway v2 passes it to a Lambda integration (payload format 2.0). */
  public record HttpRequest(String method, String path, String query, Map<String, List<String>> headers,
      byte[] body, String sourceIp) {}

  /** What API Gateway answers after the integration returned. */
  public record HttpResponse(int status, Map<String, String> headers, byte[] body) {}

  /** One SQS message as the event source mapping received it. */
  public record SqsMessage(String messageId, String receiptHandle, String body, String md5OfBody,
      Map<String, String> attributes, Map<String, String> messageAttributes) {}

  public static String apiGatewayV2(HttpRequest request, Instant now) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    String routeKey = "$default";
    event.put("version", "2.0");
    event.put("routeKey", routeKey);
    event.put("rawPath", request.path());
    event.put("rawQueryString", request.query() == null ? "" : request.query());
    ObjectNode headers = event.putObject("headers");
    request.headers().forEach((name, values) ->
        headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
    ObjectNode context = event.putObject("requestContext");
    context.put("accountId", "123456789012");
    context.put("apiId", "local");
    context.put("domainName", "127.0.0.1");
    context.put("domainPrefix", "127");
    ObjectNode http = context.putObject("http");
    http.put("method", request.method());
    http.put("path", request.path());
    http.put("protocol", "HTTP/1.1");
    http.put("sourceIp", request.sourceIp());
    http.put("userAgent", headers.path("user-agent").asText(""));
    context.put("requestId", UUID.randomUUID().toString());
    context.put("routeKey", routeKey);
    context.put("stage", "$default");
    context.put("time", API_GATEWAY_TIME.format(now));
    context.put("timeEpoch", now.toEpochMilli());
    String contentType = headers.path("content-type").asText("");
    boolean text = contentType.contains("json") || contentType.startsWith("text/")
        || contentType.contains("x-www-form-urlencoded");
    if (request.body() != null && request.body().length > 0) {
      // Like API Gateway: text bodies as they are, anything else base64-encoded.
      event.put("body", text ? new String(request.body(), StandardCharsets.UTF_8)
          : Base64.getEncoder().encodeToString(request.body()));
      event.put("isBase64Encoded", !text);
    } else {
      event.put("isBase64Encoded", false);
    }
    return Json.write(event);
  }

  /**
   * Reads the integration's answer as API Gateway does for payload 2.0: an object with
   * {@code statusCode} is a response; anything else is a 200 with the answer as JSON body.
   */
  public static HttpResponse apiGatewayV2Response(String answer) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(answer);
    } catch (Exception e) {
      return new HttpResponse(502, Map.of("content-type", "application/json"),
          "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8));
    }
    if (node == null || !node.isObject() || !node.has("statusCode")) {
      return new HttpResponse(200, Map.of("content-type", "application/json"),
          answer.getBytes(StandardCharsets.UTF_8));
    }
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    node.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    String body = node.path("body").isNull() ? "" : node.path("body").asText("");
    byte[] bytes = node.path("isBase64Encoded").asBoolean(false)
        ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
    return new HttpResponse(node.get("statusCode").asInt(), headers, bytes);
  }

  public static String sqs(List<SqsMessage> messages, String queueArn, String region) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (SqsMessage message : messages) {
      ObjectNode record = records.addObject();
      record.put("messageId", message.messageId());
      record.put("receiptHandle", message.receiptHandle());
      record.put("body", message.body());
      ObjectNode attributes = record.putObject("attributes");
      message.attributes().forEach(attributes::put);
      ObjectNode messageAttributes = record.putObject("messageAttributes");
      message.messageAttributes().forEach((name, value) -> {
        ObjectNode attribute = messageAttributes.putObject(name);
        attribute.put("stringValue", value);
        attribute.putArray("stringListValues");
        attribute.putArray("binaryListValues");
        attribute.put("dataType", "String");
      });
      record.put("md5OfBody", message.md5OfBody());
      record.put("eventSource", "aws:sqs");
      record.put("eventSourceARN", queueArn);
      record.put("awsRegion", region);
    }
    return Json.write(event);
  }

  /**
   * The message ids a function reported as failed (ReportBatchItemFailures). Empty means every
   * message succeeded; an answer naming an id that was not in the batch fails the whole batch, as
   * Lambda treats it.
   */
  public static Optional<List<String>> batchItemFailures(String answer, List<String> batchIds) {
    if (answer == null || answer.isBlank() || answer.equals("null")) {
      return Optional.of(List.of());
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(answer);
    } catch (Exception e) {
      return Optional.empty();
    }
    JsonNode failures = node.path("batchItemFailures");
    if (failures.isMissingNode() || failures.isNull()) {
      return Optional.of(List.of());
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode failure : failures) {
      String id = failure.path("itemIdentifier").asText("");
      if (id.isEmpty() || !batchIds.contains(id)) {
        return Optional.empty();
      }
      ids.add(id);
    }
    return Optional.of(ids);
  }

  public static String scheduled(String ruleArn, Instant now, String region) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("version", "0");
    event.put("id", UUID.randomUUID().toString());
    event.put("detail-type", "Scheduled Event");
    event.put("source", "aws.events");
    event.put("account", "123456789012");
    event.put("time", DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    event.put("region", region);
    event.putArray("resources").add(ruleArn);
    event.putObject("detail");
    return Json.write(event);
  }
}
