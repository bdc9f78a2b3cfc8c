package dev.spotrunner.webhook.aws;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.queue.JobQueue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@link JobQueue} on SQS's JSON protocol without the SDK: one SendMessage with a delay and string
 * attributes. Like the SDK, it checks SQS's MD5 digests of the body and the attributes against
 * what it sent; a mismatch (the message was damaged on the way) is a {@link TransientFailure}.
 */
public final class LiteSqsJobQueue implements JobQueue {
  /** SQS's own maximum delay. */
  public static final int MAX_DELAY_SECONDS = 900;

  private final AwsJsonClient sqs;

  public LiteSqsJobQueue(AwsJsonClient sqs) {
    this.sqs = Objects.requireNonNull(sqs, "sqs");
    if (sqs.service() != AwsJsonClient.Service.SQS) {
      throw new IllegalArgumentException("not an SQS client: " + sqs);
    }
  }

  @Override
  public String send(String queueUrl, String body, int delaySeconds, Map<String, String> attributes) {
    if (delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new IllegalArgumentException("delaySeconds must be 0..900, got " + delaySeconds);
    }
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(body, "body");
    // Sorted: the attribute digest is over names in order, and a stable request is easier to read.
    TreeMap<String, String> sorted = new TreeMap<>(attributes);
    byte[] answer = sqs.call("SendMessage", "SendMessage", request(queueUrl, body, delaySeconds, sorted), true);
    Map<String, String> fields;
    try {
      fields = AwsJson.topLevelScalars(answer);
    } catch (IOException e) {
      throw new TransientFailure("SQS SendMessage failed: the answer is not JSON");
    }
    String messageId = fields.get("MessageId");
    if (messageId == null || messageId.isBlank()) {
      throw new TransientFailure("SQS SendMessage failed: the answer has no MessageId");
    }
    String bodyDigest = md5Hex(body.getBytes(StandardCharsets.UTF_8));
    if (!bodyDigest.equalsIgnoreCase(String.valueOf(fields.get("MD5OfMessageBody")))) {
      throw new TransientFailure("SQS SendMessage failed: MD5OfMessageBody of message " + messageId
          + " is " + fields.get("MD5OfMessageBody") + ", expected " + bodyDigest);
    }
    if (!sorted.isEmpty()) {
      String attributesDigest = attributesMd5(sorted);
      if (!attributesDigest.equalsIgnoreCase(String.valueOf(fields.get("MD5OfMessageAttributes")))) {
        throw new TransientFailure("SQS SendMessage failed: MD5OfMessageAttributes of message " + messageId
            + " is " + fields.get("MD5OfMessageAttributes") + ", expected " + attributesDigest);
      }
    }
    return messageId;
  }

  static byte[] request(String queueUrl, String body, int delaySeconds, TreeMap<String, String> attributes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length() + 256);
    try (JsonGenerator json = AwsJson.FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("QueueUrl", queueUrl);
      json.writeStringField("MessageBody", body);
      json.writeNumberField("DelaySeconds", delaySeconds);
      if (!attributes.isEmpty()) {
        json.writeObjectFieldStart("MessageAttributes");
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
          json.writeObjectFieldStart(attribute.getKey());
          json.writeStringField("DataType", "String");
          json.writeStringField("StringValue", Objects.requireNonNull(attribute.getValue(),
              () -> "attribute " + attribute.getKey() + " has no value"));
          json.writeEndObject();
        }
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a SendMessage request", e);
    }
    return out.toByteArray();
  }

  /**
   * SQS's digest of message attributes: for each attribute in name order, the name, the data type
   * and the value, each as a 4-byte big-endian length and its UTF-8 bytes, with a transport byte 1
   * (string) before the value.
   */
  static String attributesMd5(TreeMap<String, String> attributes) {
    MessageDigest md5 = md5();
    attributes.forEach((name, value) -> {
      lengthAndBytes(md5, name);
      lengthAndBytes(md5, "String");
      md5.update((byte) 1);
      lengthAndBytes(md5, value);
    });
    return SigV4.hex(md5.digest());
  }

  static String md5Hex(byte[] data) {
    return SigV4.hex(md5().digest(data));
  }

  private static void lengthAndBytes(MessageDigest md5, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    md5.update((byte) (bytes.length >>> 24));
    md5.update((byte) (bytes.length >>> 16));
    md5.update((byte) (bytes.length >>> 8));
    md5.update((byte) bytes.length);
    md5.update(bytes);
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 is missing from this JDK", e);
    }
  }
}
