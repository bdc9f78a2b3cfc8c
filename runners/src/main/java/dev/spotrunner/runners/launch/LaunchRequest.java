package dev.spotrunner.runners.launch;

import dev.spotrunner.common.job.RunnerOwner;
import java.util.List;
import java.util.Objects;

/**
 * Launch {@code slots.size()} runners for one owner with one CreateFleet.
 *
 * @param ownerType {@code Organization} or {@code User}, copied to the owner-type tag
 * @param attemptKey what makes this attempt distinct (scale-up: the SQS receive count; scale-down:
 *     its schedule tick); with the pool and the slots it yields the EC2 ClientToken, so a repeated
 *     request with the same key never launches twice. Null: no ClientToken.
 */
public record LaunchRequest(
    RunnerOwner owner, String ownerType, List<RunnerSlot> slots, String attemptKey) {
  public LaunchRequest {
    Objects.requireNonNull(owner, "owner");
    ownerType = ownerType == null ? "Organization" : ownerType;
    slots = List.copyOf(slots);
    if (slots.isEmpty()) {
      throw new IllegalArgumentException("at least one slot is required");
    }
  }
}
