package dev.spotrunner.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.common.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobMessageTest {
  private static final List<JobMessage> MESSAGES = List.of(
      new JobMessage(501, 77, "acme/api", "acme", "Organization", 4242,
          List.of("self-hosted", "linux", "x64"), "linux", "d-1", Instant.parse("2026-03-01T12:00:00Z")),
      new JobMessage(Long.MAX_VALUE, Long.MAX_VALUE, "Ünïcödé/répo-😀", "Ünïcödé", "User",
          Long.MAX_VALUE, List.of("日本語", "\"quoted\"", "back\\slash", "tab\tnew\nline", "\u0001", "😀"),
          "pool \u2028 ✓", "8a1f\u00e9", Instant.parse("2026-03-01T12:00:00.123456789Z")),
      new JobMessage(1, 0, "a/b", "a", null, 0, null, "p", null, Instant.EPOCH),
      new JobMessage(9_007_199_254_740_993L, -1, "octo-org/octo-repo", "octo-org", "Organization",
          -5, List.of(), "gpu", "", Instant.parse("+12345-01-01T00:00:00Z")));

  @Test
  void writesTheSameJsonTheDatabindMapperWrote() {
    for (JobMessage message : MESSAGES) {
      assertEquals(Json.write(message), message.toJson());
    }
  }

  @Test
  void readsBackWhatItWrites() {
    for (JobMessage message : MESSAGES) {
      assertEquals(message, JobMessage.fromJson(message.toJson()));
    }
  }

  @Test
  void writesTheDocumentedFieldsInOrder() {
    assertEquals("{\"jobId\":501,\"runId\":77,\"repository\":\"acme/api\",\"owner\":\"acme\","
        + "\"ownerType\":\"Organization\",\"installationId\":4242,"
        + "\"labels\":[\"self-hosted\",\"linux\",\"x64\"],\"pool\":\"linux\",\"deliveryId\":\"d-1\","
        + "\"receivedAt\":\"2026-03-01T12:00:00Z\"}", MESSAGES.getFirst().toJson());
  }
}
