package dev.spotrunner.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spotrunner.common.PermanentFailure;

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

  /** A body as the webhook wrote it before {@link JobId}, byte for byte (a message in flight). */
  private static final String WRITTEN_BEFORE_JOB_ID = "{\"jobId\":12877621891,\"runId\":4747967848,"
      + "\"repository\":\"acme/api\",\"owner\":\"acme\",\"ownerType\":\"User\",\"installationId\":4242,"
      + "\"labels\":[\"self-hosted\",\"linux\"],\"pool\":\"linux\",\"deliveryId\":\"d-9\","
      + "\"receivedAt\":\"2026-03-01T12:00:00.500Z\"}";

  @Test
  void readsAMessageWrittenBeforeTheJobIdTypeAndWritesItBackByteForByte() {
    JobMessage message = JobMessage.fromJson(WRITTEN_BEFORE_JOB_ID);

    assertEquals(JobId.of(12877621891L), message.jobId());
    assertEquals("acme/api", message.repository());
    assertEquals(Instant.parse("2026-03-01T12:00:00.500Z"), message.receivedAt());
    assertEquals(WRITTEN_BEFORE_JOB_ID, message.toJson());
  }

  @Test
  void readsAJobIdWrittenAsText() {
    assertEquals(JobId.of(501), JobMessage.fromJson(MESSAGES.getFirst().toJson()
        .replace("\"jobId\":501", "\"jobId\":\"501\"")).jobId());
  }

  @Test
  void refusesAMessageWithoutAPositiveJobId() {
    String body = MESSAGES.getFirst().toJson();
    assertThrows(PermanentFailure.class, () -> JobMessage.fromJson(body.replace("501", "0")));
    assertThrows(PermanentFailure.class, () -> JobMessage.fromJson(body.replace("501", "-3")));
    assertThrows(PermanentFailure.class,
        () -> JobMessage.fromJson(body.replace("\"jobId\":501,", "")));
    assertThrows(PermanentFailure.class, () -> new JobMessage(0, 1, "a/b", "a", null, 0, null,
        "p", null, Instant.EPOCH));
  }
}
