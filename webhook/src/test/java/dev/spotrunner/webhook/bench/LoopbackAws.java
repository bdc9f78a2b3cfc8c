package dev.spotrunner.webhook.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback stand-in for the two AWS calls the webhook makes, answering at once: SQS SendMessage
 * (with the MD5 digests the SDK checks) and SSM GetParameter from an in-memory map. For benchmarks
 * only: it does not sign-check, persist or delay anything. Integration tests use moto instead.
 */
public final class LoopbackAws implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, String> parameters = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();

  public LoopbackAws() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", this::answer);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "loopback-aws");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public LoopbackAws withParameter(String name, String value) {
    parameters.put(name, value);
    return this;
  }

  public long messagesSent() {
    return sent.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      JsonNode request = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
      ObjectNode response = Json.MAPPER.createObjectNode();
      int status = 200;
      if ("AmazonSQS.SendMessage".equals(target)) {
        sent.incrementAndGet();
        response.put("MessageId", "bench-" + sent.get());
        response.put("MD5OfMessageBody", md5(request.path("MessageBody").asText()));
        if (request.has("MessageAttributes")) {
          response.put("MD5OfMessageAttributes", attributesMd5(request.get("MessageAttributes")));
        }
      } else if ("AmazonSSM.GetParameter".equals(target)) {
        String name = request.path("Name").asText();
        String value = parameters.get(name);
        if (value == null) {
          status = 400;
          response.put("__type", "ParameterNotFound");
          response.put("message", "Parameter " + name + " not found.");
        } else {
          response.putObject("Parameter").put("Name", name).put("Type", "SecureString")
              .put("Value", value).put("Version", 1);
        }
      } else {
        status = 400;
        response.put("__type", "UnknownOperationException");
      }
      byte[] body = Json.write(response).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().put("Content-Type",
          List.of(contentType == null ? "application/x-amz-json-1.0" : contentType));
      exchange.getResponseHeaders().put("x-amzn-RequestId", List.of("bench"));
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static String md5(String text) {
    return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** SQS's digest of string attributes: per name in order, length-prefixed name, type, 1, value. */
  private static String attributesMd5(JsonNode attributes) {
    MessageDigest md5 = digest();
    TreeMap<String, JsonNode> sorted = new TreeMap<>();
    attributes.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.forEach((name, value) -> {
      lengthAndBytes(md5, name);
      lengthAndBytes(md5, value.path("DataType").asText());
      md5.update((byte) 1);
      lengthAndBytes(md5, value.path("StringValue").asText());
    });
    return HexFormat.of().formatHex(md5.digest());
  }

  private static void lengthAndBytes(MessageDigest md5, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    md5.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    md5.update(bytes);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
