package dev.spotrunner.runners.interruption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.fleet.InstanceId;
import java.time.Instant;

/**
 * One EventBridge event the interruption function is subscribed to, as EventBridge delivers it:
 * {@code detail-type}, {@code time} and {@code detail.instance-id} (and {@code detail.state} for a
 * state change). The schedule's own event ({@code Scheduled Event}) has no instance.
 */
public record Ec2Event(Kind kind, InstanceId instance, Instant time, String state) {
  public enum Kind {
    /** EC2 takes the spot instance back in two minutes. */
    SPOT_WARNING,
    /** The instance is at elevated risk of interruption (opt-in). */
    REBALANCE,
    /** The instance's state changed; {@link #state} says to what. */
    STATE_CHANGE,
    /** The function's schedule: follow up on interrupted jobs and breakers. */
    SCHEDULE,
    /** Anything else: ignored. */
    OTHER
  }

  /** Reads an event; {@code now} dates an event without a time. */
  public static Ec2Event parse(JsonNode event, Instant now) {
    String type = event.path("detail-type").asText("");
    Kind kind = switch (type) {
      case "EC2 Spot Instance Interruption Warning" -> Kind.SPOT_WARNING;
      case "EC2 Instance Rebalance Recommendation" -> Kind.REBALANCE;
      case "EC2 Instance State-change Notification" -> Kind.STATE_CHANGE;
      case "Scheduled Event" -> Kind.SCHEDULE;
      default -> Kind.OTHER;
    };
    JsonNode detail = event.path("detail");
    String id = detail.path("instance-id").asText("");
    InstanceId instance = null;
    if (kind != Kind.SCHEDULE && kind != Kind.OTHER) {
      if (id.isEmpty()) {
        throw new IllegalArgumentException(type + " event without detail.instance-id");
      }
      instance = new InstanceId(id);
    }
    Instant time = event.path("time").isTextual() ? Instant.parse(event.path("time").asText()) : now;
    String state = detail.path("state").isTextual() ? detail.path("state").asText() : null;
    return new Ec2Event(kind, instance, time, state);
  }

  /** A state change to terminated (or shutting-down, which is seconds before it). */
  public boolean terminated() {
    return kind == Kind.STATE_CHANGE && ("terminated".equals(state) || "shutting-down".equals(state));
  }
}
