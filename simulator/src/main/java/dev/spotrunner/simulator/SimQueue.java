package dev.spotrunner.simulator;

import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.runners.scaleup.JobRechecks;
import dev.spotrunner.runners.scaleup.JobReturns;
import dev.spotrunner.runners.scaleup.WarmRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One pool's SQS queue and its DLQ on the virtual clock, behind the same {@link JobQueue} port the
 * Lambdas use, so scale-up's {@code JobReturns} and {@code JobRechecks}, scale-down's
 * {@code QueuedLaunches} and the {@code Redrive} run unchanged. As SQS: a message is visible after
 * its delay; a received message is hidden for the visibility timeout unless its visibility is
 * changed; a message received {@code maxReceiveCount} times and not deleted goes to the DLQ on its
 * next receive. Each message sent to the DLQ is counted with its reason (the
 * {@value JobReturns#REASON_ATTRIBUTE} attribute's kind, or {@link #MAX_RECEIVES} when SQS moved
 * it, with what the message was: a recheck, a job or one of scale-down's requests).
 */
final class SimQueue implements JobQueue {
  /** The reason counted for a message SQS moved after {@code maxReceiveCount} receives. */
  static final String MAX_RECEIVES = "maxReceiveCount";

  private final String queueUrl;
  private final String deadLetterUrl;
  private final int maxReceiveCount;
  private final Clock clock;
  /** Told the instant a message sent to the queue becomes visible (to schedule a poll). */
  private final Consumer<Instant> visibleAt;
  private final Box queue = new Box();
  private final Box deadLetters = new Box();
  private final Map<String, Integer> deadLetteredByReason = new TreeMap<>();
  private long sequence;
  private int deadLettered;
  private int waits;
  private final Map<String, Integer> asked = new TreeMap<>();

  SimQueue(String queueUrl, String deadLetterUrl, int maxReceiveCount, Clock clock,
      Consumer<Instant> visibleAt) {
    if (queueUrl == null || queueUrl.equals(deadLetterUrl)) {
      throw new IllegalArgumentException("the pool's queue URL must be set and differ from its "
          + "DLQ's, got " + queueUrl + " and " + deadLetterUrl);
    }
    this.queueUrl = queueUrl;
    this.deadLetterUrl = deadLetterUrl;
    this.maxReceiveCount = maxReceiveCount;
    this.clock = clock;
    this.visibleAt = visibleAt;
  }

  /** A message in one of the two queues. */
  static final class Message {
    final String id;
    final String body;
    final Map<String, String> attributes;
    final long order;
    Instant visibleAt;
    int receiveCount;
    String receipt;

    Message(String id, String body, Map<String, String> attributes, long order, Instant visible) {
      this.id = id;
      this.body = body;
      this.attributes = Map.copyOf(attributes);
      this.order = order;
      this.visibleAt = visible;
    }

    Received received() {
      return new Received(id, receipt, body, attributes, receiveCount);
    }
  }

  /** Visible-or-delayed messages by the instant they become visible, and those in flight. */
  private static final class Box {
    final PriorityQueue<Message> waiting = new PriorityQueue<>(
        (a, b) -> a.visibleAt.equals(b.visibleAt) ? Long.compare(a.order, b.order)
            : a.visibleAt.compareTo(b.visibleAt));
    final Map<String, Message> inFlight = new HashMap<>();
  }

  @Override
  public String send(String url, String body, int delaySeconds, Map<String, String> attributes) {
    Message message = new Message("m" + sequence, body, attributes, sequence++,
        clock.instant().plusSeconds(Math.max(0, delaySeconds)));
    if (url != null && url.equals(deadLetterUrl)) {
      deadLetter(message, attributes.getOrDefault(JobReturns.REASON_ATTRIBUTE, "(no reason)"));
      return message.id;
    }
    box(url).waiting.add(message);
    if (attributes.containsKey(JobReturns.WAIT_ATTRIBUTE)) {
      waits++;
    }
    String kind = attributes.get(WarmRequest.KIND_ATTRIBUTE);
    if (kind != null) {
      asked.merge(kind, 1, Integer::sum);
    }
    visibleAt.accept(message.visibleAt);
    return message.id;
  }

  @Override
  public List<Received> receive(String url, int max, int visibilitySeconds) {
    return take(box(url), max, visibilitySeconds).stream().map(Message::received).toList();
  }

  /**
   * The event source's receive: up to {@code max} visible messages of the pool's queue, hidden for
   * {@code visibilitySeconds}; one already received {@code maxReceiveCount} times goes to the DLQ
   * instead.
   */
  List<Message> receiveBatch(int max, int visibilitySeconds) {
    return take(queue, max, visibilitySeconds);
  }

  private List<Message> take(Box box, int max, int visibilitySeconds) {
    Instant now = clock.instant();
    List<Message> batch = new ArrayList<>();
    while (batch.size() < max && !box.waiting.isEmpty()
        && !box.waiting.peek().visibleAt.isAfter(now)) {
      Message message = box.waiting.poll();
      if (box == queue && maxReceiveCount > 0 && message.receiveCount >= maxReceiveCount) {
        deadLetter(message, MAX_RECEIVES);
        continue;
      }
      message.receiveCount++;
      message.receipt = message.id + "#" + message.receiveCount;
      message.visibleAt = now.plusSeconds(visibilitySeconds);
      box.inFlight.put(message.receipt, message);
      batch.add(message);
    }
    return batch;
  }

  @Override
  public void changeVisibility(String url, String receiptHandle, int seconds) {
    Message message = box(url).inFlight.get(receiptHandle);
    if (message == null) {
      throw new IllegalStateException("receipt handle is invalid: " + receiptHandle);
    }
    message.visibleAt = clock.instant().plusSeconds(seconds);
  }

  @Override
  public void delete(String url, String receiptHandle) {
    box(url).inFlight.remove(receiptHandle);
  }

  /**
   * Messages of the pool's queue received and neither deleted nor released yet go back to wait
   * for their visibility (what happens to a Lambda's batch failures); each call releases those
   * receipts only, as other invocations' messages stay in flight.
   */
  void release(List<String> receipts) {
    for (String receipt : receipts) {
      Message message = queue.inFlight.remove(receipt);
      if (message != null) {
        queue.waiting.add(message);
        visibleAt.accept(message.visibleAt);
      }
    }
  }

  /** The DLQ's messages received by a redrive and not deleted wait out their visibility. */
  void releaseDeadLetters() {
    deadLetters.waiting.addAll(deadLetters.inFlight.values());
    deadLetters.inFlight.clear();
  }

  private void deadLetter(Message message, String reason) {
    deadLettered++;
    String kind = reason.contains(":") ? reason.substring(0, reason.indexOf(':')) : reason;
    if (MAX_RECEIVES.equals(reason)) {
      kind += message.attributes.containsKey(JobRechecks.ATTRIBUTE) ? " (recheck)"
          : message.attributes.containsKey(WarmRequest.KIND_ATTRIBUTE)
              ? " (" + message.attributes.get(WarmRequest.KIND_ATTRIBUTE) + ")" : " (job)";
    }
    deadLetteredByReason.merge(kind, 1, Integer::sum);
    Map<String, String> attributes = new HashMap<>(message.attributes);
    if (!MAX_RECEIVES.equals(reason)) {
      attributes.put(JobReturns.REASON_ATTRIBUTE, reason);
    }
    deadLetters.waiting.add(new Message(message.id, message.body, attributes, sequence++,
        clock.instant()));
  }

  private Box box(String url) {
    if (url != null && url.equals(queueUrl)) {
      return queue;
    }
    if (url != null && url.equals(deadLetterUrl)) {
      return deadLetters;
    }
    throw new IllegalArgumentException("no such queue in this simulation: " + url);
  }

  /** Messages that entered the DLQ, whatever became of them since. */
  int deadLettered() {
    return deadLettered;
  }

  /** Dead letters counted by their reason's kind (the part before the first colon). */
  Map<String, Integer> deadLetteredByReason() {
    return deadLetteredByReason;
  }

  /** Jobs sent again as new messages to wait for room (scale-up's {@code JobReturns.later}). */
  int waits() {
    return waits;
  }

  /** Scale-down's requests on the queue by kind ({@code warm}, {@code rescue}). */
  Map<String, Integer> asked() {
    return asked;
  }

  /** Messages in the DLQ now. */
  int deadLetterDepth() {
    return deadLetters.waiting.size() + deadLetters.inFlight.size();
  }

  String queueUrl() {
    return queueUrl;
  }
}
