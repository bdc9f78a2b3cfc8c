package dev.spotrunner.runners.interruption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A job whose runner was busy when spot took its instance, followed until GitHub reports it
 * completed. Stored as JSON at {@code /<environment>/interruptions/<pool>/jobs/<job-id>} (SSM).
 */
public record InterruptedJob(String pool, String repository, JobId jobId, String runnerName,
    InstanceId instance, Instant interruptedAt) {

  public static String root(String environment) {
    return "/" + environment + "/interruptions";
  }

  public static String parameter(String environment, String pool, JobId jobId) {
    return root(environment) + "/" + pool + "/jobs/" + jobId;
  }

  /**
   * Re-runs one job got for interruptions: {@code .../<pool>/runs/<run-id>-<job name hash>}. A
   * re-run gets a new job id, but its run and its name stay: together they are the job across
   * attempts. The name is hashed (SHA-256, 16 hex) because SSM names allow no spaces or brackets.
   */
  public static String runParameter(String environment, String pool, long runId, String jobName) {
    return root(environment) + "/" + pool + "/runs/" + runId + "-" + hash(jobName);
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  public String toJson() {
    return Json.MAPPER.createObjectNode().put("pool", pool).put("repository", repository)
        .put("job_id", jobId.value()).put("runner_name", runnerName).put("instance_id", instance.value())
        .put("interrupted_at", interruptedAt.toString()).toString();
  }

  public static InterruptedJob parse(String json) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      return new InterruptedJob(n.path("pool").asText(), n.path("repository").asText(),
          JobId.of(n.path("job_id").asLong()), n.path("runner_name").asText(),
          new InstanceId(n.path("instance_id").asText()),
          Instant.parse(n.path("interrupted_at").asText()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an interrupted job record: " + e.getMessage(), e);
    }
  }
}
