package dev.spotrunner.local.driver;

import static dev.spotrunner.common.log.Log.entry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.InvocationResult;
import dev.spotrunner.local.lambda.Invoker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Executors;

/**
 * API Gateway's HTTP API on loopback for one route: {@code POST /webhook} becomes a payload 2.0
 * event for the webhook function, whose answer becomes the HTTP response. A failed invocation is a
 * 500, as API Gateway answers it.
 */
public final class ApiGatewayEndpoint implements AutoCloseable {
  private static final Log log = Log.of(ApiGatewayEndpoint.class);
  private static final int MAX_PAYLOAD = 10 * 1024 * 1024;

  private final HttpServer server;
  private final Invoker webhook;
  private final Clock clock;

  public ApiGatewayEndpoint(int port, Invoker webhook, Clock clock) throws IOException {
    this.webhook = webhook;
    this.clock = clock;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhook";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!exchange.getRequestMethod().equals("POST") || !path.equals("/webhook")) {
        send(exchange, new Events.HttpResponse(404, java.util.Map.of("content-type", "application/json"),
            "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8)));
        return;
      }
      byte[] body = exchange.getRequestBody().readNBytes(MAX_PAYLOAD + 1);
      if (body.length > MAX_PAYLOAD) {
        send(exchange, new Events.HttpResponse(413, java.util.Map.of(),
            "{\"message\":\"Request Entity Too Large\"}".getBytes(StandardCharsets.UTF_8)));
        return;
      }
      String event = Events.apiGatewayV2(new Events.HttpRequest("POST", path,
          exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body,
          exchange.getRemoteAddress().getAddress().getHostAddress()), clock.instant());
      InvocationResult result = webhook.invoke(event);
      if (result.failed()) {
        log.warn("webhook invocation failed", entry("error_type", result.errorType()));
        send(exchange, new Events.HttpResponse(500, java.util.Map.of("content-type", "application/json"),
            "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8)));
        return;
      }
      send(exchange, Events.apiGatewayV2Response(result.body()));
    }
  }

  private static void send(HttpExchange exchange, Events.HttpResponse response) throws IOException {
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
    if (response.body().length > 0) {
      exchange.getResponseBody().write(response.body());
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
