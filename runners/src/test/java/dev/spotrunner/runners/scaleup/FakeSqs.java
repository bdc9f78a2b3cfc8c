package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.queue.JobQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQS as scale-up meets it, on a test clock: per-message delays, visibility, receive counts, and a
 * redrive policy that moves a message to its DLQ when a receive would exceed maxReceiveCount.
 */
public final class FakeSqs implements JobQueue {
  /** One stored message. */
  public static final class Message {
    final String id;
    final String body;
    final Map<String, String> attributes;
    Instant visibleAt;
    int receiveCount;
    String receipt;

    Message(String id, String body, Map<String, String> attributes, Instant visibleAt) {
      this.id = id;
      this.body = body;
      this.attributes = Map.copyOf(attributes);
      this.visibleAt = visibleAt;
    }

    public String body() {
      return body;
    }

    public Map<String, String> attributes() {
      return attributes;
    }
  }

  private record Redrive(String deadLetterUrl, int maxReceiveCount) {}

  private final Clock clock;
  private final Map<String, List<Message>> queues = new HashMap<>();
  private final Map<String, Redrive> redrive = new HashMap<>();
  private int sequence;

  public FakeSqs(Clock clock) {
    this.clock = clock;
  }

  /** Messages received more than {@code maxReceiveCount} times move to {@code deadLetterUrl}. */
  public FakeSqs redrive(String queueUrl, String deadLetterUrl, int maxReceiveCount) {
    redrive.put(queueUrl, new Redrive(deadLetterUrl, maxReceiveCount));
    return this;
  }

  @Override
  public synchronized String send(String queueUrl, String body, int delaySeconds,
      Map<String, String> attributes) {
    String id = "msg-" + (++sequence);
    queue(queueUrl).add(new Message(id, body, attributes,
        clock.instant().plusSeconds(delaySeconds)));
    return id;
  }

  @Override
  public synchronized List<Received> receive(String queueUrl, int max, int visibilitySeconds) {
    Instant now = clock.instant();
    List<Received> received = new ArrayList<>();
    List<Message> visible = queue(queueUrl).stream().filter(m -> !m.visibleAt.isAfter(now))
        .sorted(Comparator.comparing((Message m) -> m.visibleAt)).toList();
    for (Message message : visible) {
      if (received.size() == max) {
        break;
      }
      Redrive policy = redrive.get(queueUrl);
      if (policy != null && message.receiveCount >= policy.maxReceiveCount()) {
        queue(queueUrl).remove(message);
        message.receiveCount = 0;
        queue(policy.deadLetterUrl()).add(message);
        continue;
      }
      message.receiveCount++;
      message.visibleAt = now.plusSeconds(visibilitySeconds);
      message.receipt = message.id + "#" + (++sequence);
      received.add(new Received(message.id, message.receipt, message.body, message.attributes,
          message.receiveCount));
    }
    return received;
  }

  @Override
  public synchronized void delete(String queueUrl, String receiptHandle) {
    queue(queueUrl).removeIf(m -> receiptHandle.equals(m.receipt));
  }

  @Override
  public synchronized void changeVisibility(String queueUrl, String receiptHandle, int seconds) {
    queue(queueUrl).stream().filter(m -> receiptHandle.equals(m.receipt)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no such receipt " + receiptHandle))
        .visibleAt = clock.instant().plus(Duration.ofSeconds(seconds));
  }

  public synchronized List<Message> messages(String queueUrl) {
    return List.copyOf(queue(queueUrl));
  }

  private List<Message> queue(String url) {
    return queues.computeIfAbsent(url, u -> new ArrayList<>());
  }
}
