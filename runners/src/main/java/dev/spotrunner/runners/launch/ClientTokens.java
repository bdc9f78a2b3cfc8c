package dev.spotrunner.runners.launch;

import dev.spotrunner.common.fleet.CapacityType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * EC2 ClientTokens for a launch. The token hashes the pool, the owner, the slots' job ids and the
 * attempt: a Lambda retry of the same message (same receive count) gets the instances of the first call
 * back instead of new ones, while a later receive (next attempt) may launch again after the first
 * attempt's instance was terminated for want of a config.
 */
final class ClientTokens {
  private ClientTokens() {}

  static String of(String pool, String owner, List<RunnerSlot> slots, String attemptKey,
      CapacityType type) {
    if (attemptKey == null) {
      return null;
    }
    StringBuilder seed = new StringBuilder().append(pool).append('|').append(owner).append('|')
        .append(type.ec2Value()).append('|').append(attemptKey).append('|');
    for (RunnerSlot slot : slots) {
      seed.append(slot.boundToJob() ? slot.jobId().toString() : "warm").append(',');
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(seed.toString().getBytes(StandardCharsets.UTF_8));
      // 64 hex characters: exactly EC2's limit for a ClientToken.
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
