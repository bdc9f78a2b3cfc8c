package dev.spotrunner.webhook;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.crac.Core;
import org.crac.Resource;

/**
 * The webhook Lambda behind API Gateway (HTTP API, payload v2) or a function URL: verifies, routes and
 * enqueues GitHub {@code workflow_job} events. Wires once per container, outside the handler; as a
 * CRaC resource it primes the hot path before a SnapStart snapshot.
 */
public final class WebhookHandler
    implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
  private static final Map<String, String> JSON = Map.of("content-type", "application/json");

  private final Webhook webhook;

  public WebhookHandler() {
    this(Wiring.webhook(WebhookSettings.fromEnv(System.getenv()), System.getenv()));
    // The global context holds resources weakly; this handler lives as long as the container.
    Core.getGlobalContext().register(this);
  }

  WebhookHandler(Webhook webhook) {
    this.webhook = webhook;
  }

  @Override
  public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
    Map<String, String> headers = headers(event);
    dev.spotrunner.common.log.Log.request(context);
    dev.spotrunner.common.log.Log.field("delivery_id", headers.get("x-github-delivery"));
    return toResponse(webhook.handle(headers, event.getBody(), event.getIsBase64Encoded()));
  }

  @Override
  public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
    Priming.run();
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) {
    // nothing to renew: secrets and pools from SSM are read on first use, after the restore
  }

  /** Header names are case-insensitive: API Gateway lower-cases them, a test client may not. */
  static Map<String, String> headers(APIGatewayV2HTTPEvent event) {
    Map<String, String> given = event.getHeaders();
    if (given == null) {
      return Map.of();
    }
    Map<String, String> lower = new HashMap<>(given.size() * 2);
    for (Map.Entry<String, String> header : given.entrySet()) {
      if (header.getKey() != null && header.getValue() != null) {
        lower.put(header.getKey().toLowerCase(Locale.ROOT), header.getValue());
      }
    }
    return lower;
  }

  static APIGatewayV2HTTPResponse toResponse(Reply reply) {
    return APIGatewayV2HTTPResponse.builder()
        .withStatusCode(reply.status())
        .withHeaders(JSON)
        .withBody(reply.toJson())
        .withIsBase64Encoded(false)
        .build();
  }
}
