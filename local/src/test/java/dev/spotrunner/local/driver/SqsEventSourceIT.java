package dev.spotrunner.local.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.local.lambda.InvocationResult;
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

/** The event source mapping against moto's SQS: partial batch failures, redrive to the DLQ. */
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

  static Queues queues(String name, int maxReceiveCount) {
    String dlq = aws.sqs.createQueue(r -> r.queueName(name + "-dlq")).queueUrl();
    String dlqArn = aws.sqs.getQueueAttributes(r -> r.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
        .attributes().get(QueueAttributeName.QUEUE_ARN);
    String url = aws.sqs.createQueue(r -> r.queueName(name).attributes(Map.of(
        QueueAttributeName.REDRIVE_POLICY,
        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}",
        QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
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
        new SqsEventSource.Settings(queues.url(), 10, true, Duration.ZERO), function, "us-east-1");

    int first = source.pollOnce(Duration.ofSeconds(1));
    int second = source.pollOnce(Duration.ofSeconds(1));
    int third = source.pollOnce(Duration.ofSeconds(1));

    assertThat(first).isEqualTo(3);
    assertThat(second).isEqualTo(1);
    assertThat(third).as("moved to the DLQ after 2 receives").isZero();
    assertThat(source.deleted()).isEqualTo(2);
    assertThat(source.returned()).isEqualTo(2);
    assertThat(visible(queues.dlqUrl())).isEqualTo(1);
  }

  @Test
  void aFailedInvocationKeepsTheWholeBatch() {
    Queues queues = queues("whole", 5);
    aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("a"));
    aws.sqs.sendMessage(r -> r.queueUrl(queues.url()).messageBody("b"));
    SqsEventSource source = new SqsEventSource(aws.sqs, new SqsEventSource.Settings(queues.url(), 10, true,
        Duration.ZERO), event -> InvocationResult.failure("r", "Unhandled", "{}"), "us-east-1");

    source.pollOnce(Duration.ofSeconds(1));

    assertThat(source.deleted()).isZero();
    assertThat(visible(queues.url())).isEqualTo(2);
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
        new SqsEventSource.Settings(queues.url(), 3, true, Duration.ZERO), function, "us-east-1");

    while (source.pollOnce(Duration.ofSeconds(1)) > 0) {
      // drain
    }

    assertThat(function.batchSizes).allMatch(size -> size <= 3);
    assertThat(function.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(7);
  }
}
