package dev.spotrunner.common.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.Fault;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(AwsEmulatorExtension.class)
class SqsJobQueueIT {
  private static SqsClient sqs;
  private static FaultProxy proxy;
  private static AwsClients throughProxy;
  private String queueUrl;

  @BeforeAll
  static void start(SqsClient client) {
    sqs = client;
    proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
    throughProxy = AwsEmulatorExtension.clients(proxy.endpoint(), 1);
  }

  @AfterAll
  static void stop() {
    throughProxy.close();
    proxy.close();
  }

  @BeforeEach
  void createQueue() {
    proxy.reset();
    queueUrl = sqs.createQueue(r -> r.queueName("jobs-" + System.nanoTime())).queueUrl();
  }

  private List<Message> receive() {
    return sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
        .messageAttributeNames("All").waitTimeSeconds(0)).messages();
  }

  @Test
  void sendsTheBodyAndStringAttributes() {
    JobQueue queue = new SqsJobQueue(sqs);

    String id = queue.send(queueUrl, "{\"jobId\":42}", 0, Map.of("pool", "linux", "delivery", "d-1"));

    List<Message> messages = receive();
    assertEquals(1, messages.size());
    assertEquals(id, messages.get(0).messageId());
    assertEquals("{\"jobId\":42}", messages.get(0).body());
    assertEquals("linux", messages.get(0).messageAttributes().get("pool").stringValue());
    assertEquals("String", messages.get(0).messageAttributes().get("pool").dataType());
    assertEquals("d-1", messages.get(0).messageAttributes().get("delivery").stringValue());
  }

  @Test
  void delaysTheMessage() {
    JobQueue queue = new SqsJobQueue(sqs);

    queue.send(queueUrl, "later", 30, Map.of());

    assertEquals(List.of(), receive(), "a delayed message is not visible yet");
    String delayed = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
        .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED);
    assertEquals("1", delayed);
  }

  @Test
  void aMissingQueueIsAPermanentFailure() {
    JobQueue queue = new SqsJobQueue(sqs);
    String missing = queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1) + "no-such-queue";

    PermanentFailure failure = assertThrows(PermanentFailure.class,
        () -> queue.send(missing, "x", 0, Map.of()));
    assertTrue(failure.getMessage().contains("SendMessage"), failure.getMessage());
  }

  @Test
  void throttlingAndServerErrorsAreTransientFailures() {
    proxy.failNext(1, "SendMessage", Fault.throttle());
    proxy.failNext(1, "SendMessage", Fault.serverError(500));
    JobQueue queue = new SqsJobQueue(throughProxy.sqs());

    TransientFailure throttled = assertThrows(TransientFailure.class,
        () -> queue.send(queueUrl, "x", 0, Map.of()));
    assertTrue(throttled.getMessage().contains("Throttling"), throttled.getMessage());
    assertThrows(TransientFailure.class, () -> queue.send(queueUrl, "x", 0, Map.of()));
    queue.send(queueUrl, "x", 0, Map.of());

    assertEquals(1, receive().size(), "only the third send reached SQS");
    assertEquals(3, proxy.calls("SendMessage"));
  }

  @Test
  void anAnswerSlowerThanTheTimeoutIsATransientFailure() {
    proxy.delayNext(1, FaultProxy.action("SendMessage"), Duration.ofSeconds(3));
    AwsClients.Config impatient = AwsEmulatorExtension.clients(proxy.endpoint(), 1).config()
        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2));
    try (AwsClients clients = new AwsClients(impatient)) {
      JobQueue queue = new SqsJobQueue(clients.sqs());

      assertThrows(TransientFailure.class, () -> queue.send(queueUrl, "slow", 0, Map.of()));
      assertEquals(1, proxy.calls("SendMessage"));
    }
  }

  @Test
  void anUnreachableEndpointIsATransientFailure() {
    try (AwsClients nowhere = AwsEmulatorExtension.clients(java.net.URI.create("http://127.0.0.1:9"), 1)) {
      JobQueue queue = new SqsJobQueue(nowhere.sqs());

      assertThrows(TransientFailure.class, () -> queue.send(queueUrl, "x", 0, Map.of()));
    }
  }
}
