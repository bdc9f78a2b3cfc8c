package dev.spotrunner.runners.sweeper;

import java.time.Instant;
import java.util.Objects;

/**
 * One attempt GitHub made to deliver a webhook to the App, as {@code GET /app/hook/deliveries} lists
 * it. A redelivery is a new attempt with its own id, the same {@code guid} (the
 * {@code X-GitHub-Delivery} header the webhook sees) and {@code redelivery: true}.
 *
 * @param statusCode the HTTP status our endpoint answered; 0 when GitHub got no answer
 * @param action the payload's action ({@code queued}, ...), null for events without one
 */
public record HookDelivery(long id, String guid, Instant deliveredAt, boolean redelivery,
    int statusCode, String event, String action) {

  public HookDelivery {
    Objects.requireNonNull(guid, "guid");
    Objects.requireNonNull(deliveredAt, "deliveredAt");
  }

  public boolean succeeded() {
    return statusCode >= 200 && statusCode < 300;
  }
}
