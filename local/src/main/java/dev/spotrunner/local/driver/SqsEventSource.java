package dev.spotrunner.local.driver;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.InvocationResult;
import dev.spotrunner.local.lambda.Invoker;
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
 * A Lambda event source mapping for one SQS queue: {@code concurrency} pollers each receive a batch
 * of up to {@code batchSize} messages (gathering for up to the maximum batching window when it is
 * set), invoke the function and delete what succeeded. With ReportBatchItemFailures only the
 * messages the function names stay on the queue; without it, or when the invocation fails, the
 * whole batch stays. Messages that stay are left to SQS: they become visible again when their
 * visibility timeout ends — the queue's, or the one the function set with ChangeMessageVisibility —
 * and the queue's redrive policy moves one to the dead-letter queue after its maximum receive count.
 * Nothing here sets a message's visibility.
 *
 * <p>Lambda runs up to the mapping's maximum concurrency (or the function's reserved concurrency)
 * batches at once; its pollers hold a batch while the function is throttled. Here the number of
 * pollers is that concurrency, so a batch is only received when an invocation can take it.
 *
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html">partial batch responses</a>
 * @see <a href="https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html">SQS scaling</a>
 */
public final class SqsEventSource implements AutoCloseable {
  private static final Log log = Log.of(SqsEventSource.class);
  /** SQS's longest ReceiveMessage wait; pollers wait at most this long for the first message. */
  private static final int MAX_WAIT_SECONDS = 20;

  /**
   * What the mapping and the function allow, read back from the emulator.
   *
   * @param maximumBatchingWindow how long to gather messages before invoking with a partial batch
   * @param concurrency batches invoked at once
   */
  public record Settings(String queueUrl, int batchSize, Duration maximumBatchingWindow,
      boolean reportBatchItemFailures, int concurrency) {
    public Settings {
      if (batchSize < 1 || batchSize > 10) {
        throw new IllegalArgumentException("batch size must be 1-10, got " + batchSize);
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
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
  private final List<Thread> pollers = new ArrayList<>();
  private volatile boolean closed;

  public SqsEventSource(SqsClient sqs, Settings settings, Invoker function, String region) {
    this.sqs = sqs;
    this.settings = settings;
    this.function = function;
    this.region = region;
    this.queueArn = sqs.getQueueAttributes(r -> r.queueUrl(settings.queueUrl())
        .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
  }

  public Settings settings() {
    return settings;
  }

  /** Starts one poller per concurrent batch. */
  public synchronized SqsEventSource start() {
    while (pollers.size() < settings.concurrency()) {
      pollers.add(Thread.ofVirtual().name("sqs-" + pollers.size() + "-" + settings.queueUrl()).start(() -> {
        while (!closed) {
          try {
            // Short receives, so closing the source does not wait for SQS's longest poll.
            pollOnce(Duration.ofSeconds(1));
          } catch (RuntimeException e) {
            if (!closed) {
              log.warn("queue poll failed", entry("queue", settings.queueUrl()), Log.error(e));
              sleep();
            }
          }
        }
      }));
    }
    return this;
  }

  /**
   * One batch: a receive waiting at most {@code wait} for the first message, then, within the
   * maximum batching window, more receives until the batch is full; then one invocation.
   */
  public int pollOnce(Duration wait) {
    List<Message> messages = new ArrayList<>(receive(settings.batchSize(), wait));
    if (messages.isEmpty()) {
      return 0;
    }
    long windowEnds = System.nanoTime() + settings.maximumBatchingWindow().toNanos();
    while (messages.size() < settings.batchSize() && System.nanoTime() < windowEnds && !closed) {
      long left = Math.max(1, (windowEnds - System.nanoTime()) / 1_000_000_000L);
      messages.addAll(receive(settings.batchSize() - messages.size(), Duration.ofSeconds(Math.min(1, left))));
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
      // A failed message stays: SQS shows it again when its visibility timeout ends.
      if (!failed.contains(message.messageId())) {
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

  private List<Message> receive(int count, Duration wait) {
    return sqs.receiveMessage(r -> r.queueUrl(settings.queueUrl())
        .maxNumberOfMessages(count)
        .waitTimeSeconds((int) Math.min(MAX_WAIT_SECONDS, wait.toSeconds()))
        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
        .messageAttributeNames("All")).messages();
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
