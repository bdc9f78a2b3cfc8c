package dev.spotrunner.common.queue;

import dev.spotrunner.common.aws.AwsFailures;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** {@link JobQueue} on SQS: SendMessage with a delay and string message attributes. */
public final class SqsJobQueue implements JobQueue {
  /** SQS's own maximum delay. */
  public static final int MAX_DELAY_SECONDS = 900;

  private final SqsClient sqs;

  public SqsJobQueue(SqsClient sqs) {
    this.sqs = Objects.requireNonNull(sqs, "sqs");
  }

  @Override
  public String send(String queueUrl, String body, int delaySeconds, Map<String, String> attributes) {
    if (delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
      throw new IllegalArgumentException("delaySeconds must be 0..900, got " + delaySeconds);
    }
    Map<String, MessageAttributeValue> values = new HashMap<>();
    attributes.forEach((name, value) -> values.put(name,
        MessageAttributeValue.builder().dataType("String").stringValue(value).build()));
    try {
      return sqs.sendMessage(r -> r.queueUrl(queueUrl)
              .messageBody(body)
              .delaySeconds(delaySeconds)
              .messageAttributes(values))
          .messageId();
    } catch (SdkException e) {
      throw AwsFailures.translate("SQS", "SendMessage", e);
    }
  }
}
