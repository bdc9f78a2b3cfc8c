package dev.spotrunner.common.queue;

import dev.spotrunner.common.aws.AwsFailures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * {@link JobQueue} on SQS: SendMessage with a delay and string message attributes,
 * ChangeMessageVisibility, ReceiveMessage (with the receive count) and DeleteMessage.
 */
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

  @Override
  public void changeVisibility(String queueUrl, String receiptHandle, int seconds) {
    try {
      sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle)
          .visibilityTimeout(seconds));
    } catch (SdkException e) {
      throw AwsFailures.translate("SQS", "ChangeMessageVisibility", e);
    }
  }

  @Override
  public List<Received> receive(String queueUrl, int max, int visibilitySeconds) {
    try {
      return sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(max)
              .visibilityTimeout(visibilitySeconds).waitTimeSeconds(0)
              .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
              .messageAttributeNames("All"))
          .messages().stream()
          .map(m -> {
            Map<String, String> attributes = new HashMap<>();
            m.messageAttributes().forEach((name, value) -> {
              if (value.stringValue() != null) {
                attributes.put(name, value.stringValue());
              }
            });
            String count = m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
            return new Received(m.messageId(), m.receiptHandle(), m.body(), attributes,
                count == null ? 1 : Integer.parseInt(count));
          })
          .toList();
    } catch (SdkException e) {
      throw AwsFailures.translate("SQS", "ReceiveMessage", e);
    }
  }

  @Override
  public void delete(String queueUrl, String receiptHandle) {
    try {
      sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(receiptHandle));
    } catch (SdkException e) {
      throw AwsFailures.translate("SQS", "DeleteMessage", e);
    }
  }
}
