package dev.spotrunner.local.driver;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.InvocationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A Lambda event source mapping for one SQS queue: receives batches of up to {@code batchSize}
 * messages, invokes the function, deletes what succeeded. With ReportBatchItemFailures only the
 * messages the function names stay on the queue; without it, or when the invocation fails, the
 * whole batch stays. Messages that stay become visible again, and SQS's redrive policy moves one
 * to the dead-letter queue after its maximum receive count.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html">partial batch responses</a>
 */
public final class SqsEventSource implements AutoCloseable {
  private static final Log log = Log.of(SqsEventSource.class);

  /**
   * @param retryVisibility how soon a failed message is visible again, times its receive count;
   *     null leaves the queue's visibility timeout (as AWS does). The local stack shortens it so
   *     retries happen in seconds, and backs off so five receives (the DLQ limit) span over a minute
   */
  public record Settings(String queueUrl, int batchSize, boolean reportBatchItemFailures,
      Duration retryVisibility) {
    public Settings {
      if (batchSize < 1 || batchSize > 10) {
        throw new IllegalArgumentException("batch size must be 1-10, got " + batchSize);
      }
    }
  }

  private final SqsClient sqs;
  private final Settings settings;
  private final Invoker function;
  private final String region;
  private final String queueArn;
  private final AtomicLong invocations = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong returned = new AtomicLong();
  private volatile boolean closed;
  private Thread poller;

  public SqsEventSource(SqsClient sqs, Settings settings, Invoker function, String region) {
    this.sqs = sqs;
    this.settings = settings;
    this.function = function;
    this.region = region;
    this.queueArn = sqs.getQueueAttributes(r -> r.queueUrl(settings.queueUrl())
        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
  }

  public synchronized SqsEventSource start() {
    if (poller == null) {
      poller = Thread.ofVirtual().name("sqs-" + settings.queueUrl()).start(() -> {
        while (!closed) {
          try {
            pollOnce(Duration.ofSeconds(1));
          } catch (RuntimeException e) {
            if (!closed) {
              log.warn("queue poll failed", entry("queue", settings.queueUrl()), Log.error(e));
              sleep();
            }
          }
        }
      });
    }
    return this;
  }

  /** One receive (waiting at most {@code wait}) and, when it got messages, one invocation. */
  public int pollOnce(Duration wait) {
    List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(settings.queueUrl())
        .maxNumberOfMessages(settings.batchSize())
        .waitTimeSeconds((int) wait.toSeconds())
        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
        .messageAttributeNames("All")).messages();
    if (messages.isEmpty()) {
      return 0;
    }
    List<Events.SqsMessage> batch = messages.stream().map(m -> new Events.SqsMessage(m.messageId(),
        m.receiptHandle(), m.body(), m.md5OfBody(), m.attributesAsStrings(),
        stringAttributes(m))).toList();
    List<String> ids = batch.stream().map(Events.SqsMessage::messageId).toList();
    InvocationResult result = function.invoke(Events.sqs(batch, queueArn, region));
    invocations.incrementAndGet();
    List<String> failed;
    if (result.failed()) {
      log.warn("batch invocation failed", entry("queue", settings.queueUrl()),
          entry("messages", ids.size()), entry("error_type", result.errorType()));
      failed = ids;
    } else if (settings.reportBatchItemFailures()) {
      Optional<List<String>> reported = Events.batchItemFailures(result.body(), ids);
      failed = reported.orElse(ids);
    } else {
      failed = List.of();
    }
    List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
    for (Message message : messages) {
      if (failed.contains(message.messageId())) {
        if (settings.retryVisibility() != null) {
          // Backs off with each receive, so the redrive policy's receive count spans a useful time.
          int receives = Integer.parseInt(message.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "1"));
          int seconds = (int) Math.min(43_200, settings.retryVisibility().toSeconds() * receives);
          sqs.changeMessageVisibility(r -> r.queueUrl(settings.queueUrl())
              .receiptHandle(message.receiptHandle())
              .visibilityTimeout(seconds));
        }
      } else {
        deletes.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(deletes.size()))
            .receiptHandle(message.receiptHandle()).build());
      }
    }
    if (!deletes.isEmpty()) {
      sqs.deleteMessageBatch(r -> r.queueUrl(settings.queueUrl()).entries(deletes));
    }
    deleted.addAndGet(deletes.size());
    returned.addAndGet(failed.size());
    return messages.size();
  }

  private static java.util.Map<String, String> stringAttributes(Message message) {
    java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
    message.messageAttributes().forEach((name, value) -> {
      if (value.stringValue() != null) {
        values.put(name, value.stringValue());
      }
    });
    return values;
  }

  public long invocations() {
    return invocations.get();
  }

  public long deleted() {
    return deleted.get();
  }

  public long returned() {
    return returned.get();
  }

  private void sleep() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
