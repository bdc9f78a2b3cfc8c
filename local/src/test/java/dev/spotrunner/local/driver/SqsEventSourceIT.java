package dev.spotrunner.local.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.local.lambda.InvocationResult;
import dev.spotrunner.local.lambda.Invoker;
import dev.spotrunner.local.stack.LocalAws;
import dev.spotrunner.local.stack.MotoProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The event source mapping against moto's SQS: partial batch failures, redrive to the DLQ, retries
 * left to the queue's visibility (or the function's ChangeMessageVisibility), concurrent batches.
 */
class SqsEventSourceIT {
  @TempDir static Path logs;
  static MotoProcess moto;
  static LocalAws aws;

  @BeforeAll
  static void startMoto() throws Exception {
    moto = MotoProcess.start(logs);
    aws = new LocalAws(moto.endpoint(), "us-east-1");
  }

  @AfterAll
  static void stopMoto() {
    aws.close();
    moto.close();
  }

  record Queues(String url, String dlqUrl) {}

  static SqsEventSource.Settings settings(String url, int batchSize, int concurrency) {
    return new SqsEventSource.Settings(url, batchSize, Duration.ZERO, true, concurrency);
  }

  static Queues queues(String name, int maxReceiveCount) {
    return queues(name, maxReceiveCount, 1);
  }

  static Queues queues(String name, int maxReceiveCount, int visibilityTimeoutSeconds) {
    String dlq = aws.sqs.createQueue(r -> r.queueName(name + "-dlq")).queueUrl();
    String dlqArn = aws.sqs.getQueueAttributes(r -> r.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    String url = aws.sqs.createQueue(r -> r.queueName(name).attributes(Map.of(
        QueueAttributeName.REDRIVE_POLICY,
        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}",
        QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds)))).queueUrl();
    return new Queues(url, dlq);
  }

  /** Fails every record whose body is "fail", reporting it as a batch item failure. */
  static final class FailingSome implements Invoker {
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    @Override
    public InvocationResult invoke(String event) {
      try {
        JsonNode records = Json.MAPPER.readTree(event).get("Records");
        batchSizes.add(records.size());
        List<String> failures = new ArrayList<>();
        for (JsonNode record : records) {
          if (record.get("body").asText().equals("fail")) {
            failures.add("{\"itemIdentifier\":\"" + record.get("messageId").asText() + "\"}");
          }
        }
        return InvocationResult.success("r", "{\"batchItemFailures\":[" + String.join(",", failures) + "]}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static int inFlight(String url) {
    return Integer.parseInt(aws.sqs.getQueueAttributes(r -> r.queueUrl(url)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes()
        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }

  static int visible(String url) {
    return Integer.parseInt(aws.sqs.getQueueAttributes(r -> r.queueUrl(url)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
  }

  @Test
  void deletesSucceededMessagesAndReturnsReportedFailuresUntilTheRedrivePolicyMovesThem() {
    Queues queues = queues("partial", 2);
    for (String body : List.of("ok-1", "fail", "ok-2")) {
      aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody(body));
    }
    FailingSome function = new FailingSome();
    SqsEventSource source = new SqsEventSource(aws.sqs,
        settings(queues.url(), 10, 1), function, "us-east-1");

    // The queue's visibility timeout is 1 s: a returned message is back within the next 2 s receive.
    int first = source.pollOnce(Duration.ofSeconds(2));
    int second = source.pollOnce(Duration.ofSeconds(2));
    int third = source.pollOnce(Duration.ofSeconds(2));

    assertThat(first).isEqualTo(3);
    assertThat(second).isEqualTo(1);
    assertThat(third).as("moved to the DLQ after 2 receives").isZero();
    assertThat(source.deleted()).isEqualTo(2);
    assertThat(source.returned()).isEqualTo(2);
    assertThat(visible(queues.dlqUrl())).isEqualTo(1);
  }

  @Test
  void aFailedInvocationKeepsTheWholeBatch() {
    Queues queues = queues("whole", 5, 30);
    aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("a"));
    aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("b"));
    SqsEventSource source = new SqsEventSource(aws.sqs, settings(queues.url(), 10, 1), event -> InvocationResult.failure("r", "Unhandled", "{}"), "us-east-1");

    source.pollOnce(Duration.ofSeconds(1));

    assertThat(source.deleted()).isZero();
    assertThat(inFlight(queues.url())).as("still on the queue, invisible until the visibility timeout").isEqualTo(2);
  }

  @Test
  void neverHandsTheFunctionMoreThanTheBatchSize() {
    Queues queues = queues("batches", 5);
    for (int i = 0; i < 7; i++) {
      int n = i;
      aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("m" + n));
    }
    FailingSome function = new FailingSome();
    SqsEventSource source = new SqsEventSource(aws.sqs,
        settings(queues.url(), 3, 1), function, "us-east-1");

    while (source.pollOnce(Duration.ofSeconds(1)) > 0) {
      // drain
    }

    assertThat(function.batchSizes).allMatch(size -> size <= 3);
    assertThat(function.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(7);
  }

  @Test
  void aReturnedMessageComesBackAfterTheQueuesVisibilityTimeoutNotSooner() {
    Queues queues = queues("visibility", 5, 4);
    aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("fail"));
    SqsEventSource source = new SqsEventSource(aws.sqs, settings(queues.url(), 10, 1), new FailingSome(), "us-east-1");

    assertThat(source.pollOnce(Duration.ofSeconds(1))).isEqualTo(1);
    long returnedAt = System.nanoTime();
    assertThat(source.pollOnce(Duration.ofSeconds(2))).as("still invisible 2 s later").isZero();
    int again = 0;
    while (again == 0 && System.nanoTime() - returnedAt < Duration.ofSeconds(8).toNanos()) {
      again = source.pollOnce(Duration.ofSeconds(1));
    }

    assertThat(again).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - returnedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(3500));
  }

  @Test
  void aVisibilityTheFunctionSetIsKept() {
    Queues queues = queues("backoff", 5, 30);
    aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("fail"));
    // As scale-up backs off a job itself: ChangeMessageVisibility to 1 s, then report it failed.
    Invoker backingOff = event -> {
      try {
        JsonNode record = Json.MAPPER.readTree(event).get("Records").get(0);
        aws.sqs.changeMessageVisibility(r -> r.queueUrl(queues.url())
            .receiptHandle(record.get("receiptHandle").asText()).visibilityTimeout(1));
        return InvocationResult.success("r", "{\"batchItemFailures\":[{\"itemIdentifier\":\""
            + record.get("messageId").asText() + "\"}]}");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    SqsEventSource source = new SqsEventSource(aws.sqs, settings(queues.url(), 10, 1), backingOff, "us-east-1");

    assertThat(source.pollOnce(Duration.ofSeconds(1))).isEqualTo(1);

    assertThat(source.pollOnce(Duration.ofSeconds(3))).as("back after the function's 1 s, not the queue's 30 s")
        .isEqualTo(1);
  }

  @Test
  void runsUpToItsConcurrencyOfBatchesAtOnce() throws Exception {
    Queues queues = queues("concurrent", 5, 30);
    List<long[]> intervals = new CopyOnWriteArrayList<>();
    Invoker slow = event -> {
      long start = System.nanoTime();
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      intervals.add(new long[] {start, System.nanoTime()});
      return InvocationResult.success("r", "{\"batchItemFailures\":[]}");
    };
    try (SqsEventSource source = new SqsEventSource(aws.sqs, settings(queues.url(), 1, 2), slow, "us-east-1")
        .start()) {
      for (int i = 0; i < 4; i++) {
        int n = i;
        aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("m" + n));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (source.deleted() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(source.deleted()).isEqualTo(4);
    }

    assertThat(peak(intervals)).isEqualTo(2);
  }

  static int peak(List<long[]> intervals) {
    int peak = 0;
    for (long[] a : intervals) {
      int open = (int) intervals.stream().filter(b -> b[0] <= a[0] && a[0] < b[1]).count();
      peak = Math.max(peak, open);
    }
    return peak;
  }
}
