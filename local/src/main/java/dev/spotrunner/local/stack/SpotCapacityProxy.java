package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An EC2 endpoint in front of moto that can answer spot CreateFleet requests with
 * {@code InsufficientInstanceCapacity}, as EC2 does when a spot pool is empty, and forwards
 * everything else. Only the scale-up and scale-down functions are pointed at it.
 */
public final class SpotCapacityProxy implements AutoCloseable {
  private static final Log log = Log.of(SpotCapacityProxy.class);
  private static final Set<String> HOP_HEADERS = Set.of("host", "content-length", "connection", "expect",
      "transfer-encoding", "upgrade");

  private final URI target;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private volatile boolean spotExhausted;
  private final AtomicInteger refused = new AtomicInteger();

  public SpotCapacityProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** While set, every spot CreateFleet fails for capacity; on-demand ones go through. */
  public void spotExhausted(boolean exhausted) {
    this.spotExhausted = exhausted;
  }

  /** Spot requests refused so far. */
  public int refused() {
    return refused.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String form = URLDecoder.decode(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      if (spotExhausted && form.contains("Action=CreateFleet")
          && form.contains("TargetCapacitySpecification.DefaultTargetCapacityType=spot")) {
        refused.incrementAndGet();
        log.info("spot capacity refused", entry("request", "CreateFleet"));
        byte[] answer = capacityError().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        return;
      }
      HttpRequest.Builder forward = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
          .timeout(Duration.ofSeconds(60))
          .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      exchange.getRequestHeaders().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          values.forEach(value -> forward.header(name, value));
        }
      });
      HttpResponse<byte[]> response;
      try {
        response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      response.headers().map().forEach((name, values) -> {
        if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
          values.forEach(value -> exchange.getResponseHeaders().add(name, value));
        }
      });
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        exchange.getResponseBody().write(answer);
      }
    }
  }

  private static String capacityError() {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <CreateFleetResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>%s</requestId>
          <fleetId>fleet-%s</fleetId>
          <errorSet>
            <item>
              <lifecycle>spot</lifecycle>
              <errorCode>InsufficientInstanceCapacity</errorCode>
              <errorMessage>There is no Spot capacity available that matches your request.</errorMessage>
            </item>
          </errorSet>
          <fleetInstanceSet/>
        </CreateFleetResponse>
        """.formatted(UUID.randomUUID(), UUID.randomUUID().toString().replace("-", "").substring(0, 17));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
