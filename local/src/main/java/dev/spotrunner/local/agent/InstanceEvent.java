package dev.spotrunner.local.agent;

import dev.spotrunner.common.fleet.InstanceId;
import java.time.Instant;

/**
 * What EC2 reports to EventBridge about one simulated machine: spot's two-minute interruption
 * warning, or the instance's state change to terminated.
 */
public record InstanceEvent(Kind kind, InstanceId instance, Instant time) {
  public enum Kind {
    /** {@code EC2 Spot Instance Interruption Warning}: the instance is terminated after the notice. */
    SPOT_INTERRUPTION_WARNING,
    /** {@code EC2 Instance State-change Notification} with state {@code terminated}. */
    TERMINATED
  }
}
