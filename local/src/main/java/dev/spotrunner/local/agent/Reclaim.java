package dev.spotrunner.local.agent;

import dev.spotrunner.common.fleet.InstanceId;
import java.time.Instant;

/**
 * One busy machine spot took back: warned at {@code warnedAt}, its runner's job lost and the
 * instance terminated at {@code terminatedAt} (null until then).
 */
public record Reclaim(InstanceId instance, String pool, long jobId, long runnerId, Instant warnedAt,
    Instant terminatedAt) {
  Reclaim terminated(Instant at) {
    return new Reclaim(instance, pool, jobId, runnerId, warnedAt, at);
  }
}
