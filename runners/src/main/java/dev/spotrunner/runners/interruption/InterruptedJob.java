package dev.spotrunner.runners.interruption;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.time.Instant;

/**
 * A job whose runner was busy when spot took its instance, followed until GitHub reports it
 * completed. Stored as JSON at {@code /<environment>/interruptions/<pool>/jobs/<job-id>} (SSM).
 */
public record InterruptedJob(String pool, String repository, long jobId, String runnerName,
    InstanceId instance, Instant interruptedAt) {

  public static String root(String environment) {
    return "/" + environment + "/interruptions";
  }

  public static String parameter(String environment, String pool, long jobId) {
    return root(environment) + "/" + pool + "/jobs/" + jobId;
  }

  /** Re-runs a workflow run got for interruptions: {@code .../<pool>/runs/<run-id>}. */
  public static String runParameter(String environment, String pool, long runId) {
    return root(environment) + "/" + pool + "/runs/" + runId;
  }

  public String toJson() {
    return Json.MAPPER.createObjectNode().put("pool", pool).put("repository", repository)
        .put("job_id", jobId).put("runner_name", runnerName).put("instance_id", instance.value())
        .put("interrupted_at", interruptedAt.toString()).toString();
  }

  public static InterruptedJob parse(String json) {
    try {
      JsonNode n = Json.MAPPER.readTree(json);
      return new InterruptedJob(n.path("pool").asText(), n.path("repository").asText(),
          n.path("job_id").asLong(), n.path("runner_name").asText(),
          new InstanceId(n.path("instance_id").asText()),
          Instant.parse(n.path("interrupted_at").asText()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an interrupted job record: " + e.getMessage(), e);
    }
  }
}
