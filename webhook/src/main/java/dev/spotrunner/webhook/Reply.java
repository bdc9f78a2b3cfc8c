package dev.spotrunner.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spotrunner.common.json.Json;

/**
 * The webhook's answer: an HTTP status and a short reason, plus the pool and job when one was
 * queued. Never a stack trace, never the expected signature.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Reply(int status, String message, String pool, Long jobId) {

  public static Reply of(int status, String message) {
    return new Reply(status, message, null, null);
  }

  public static Reply queued(String pool, long jobId) {
    return new Reply(202, "queued", pool, jobId);
  }

  public String toJson() {
    return Json.write(this);
  }
}
