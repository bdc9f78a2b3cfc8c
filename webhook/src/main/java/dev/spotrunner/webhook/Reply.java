package dev.spotrunner.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The webhook's answer: an HTTP status and a short reason, plus the pool and job when one was
 * queued. Never a stack trace, never the expected signature.
 */
public record Reply(int status, String message, String pool, Long jobId) {
  private static final JsonFactory JSON = new JsonFactory();

  public static Reply of(int status, String message) {
    return new Reply(status, message, null, null);
  }

  public static Reply queued(String pool, long jobId) {
    return new Reply(202, "queued", pool, jobId);
  }

  /** {@code {"status":202,"message":"queued","pool":"linux","jobId":501}}, absent fields left out. */
  public String toJson() {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("status", status);
      if (message != null) {
        json.writeStringField("message", message);
      }
      if (pool != null) {
        json.writeStringField("pool", pool);
      }
      if (jobId != null) {
        json.writeNumberField("jobId", jobId.longValue());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }
}
