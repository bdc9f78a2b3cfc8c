package dev.spotrunner.testkit.fakes;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.queue.JobQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An in-memory {@link JobQueue} for unit tests: records every message; can be made to fail. */
public final class InMemoryJobQueue implements JobQueue {
  public record Sent(String queueUrl, String body, int delaySeconds, Map<String, String> attributes) {}

  private final List<Sent> sent = new ArrayList<>();
  private boolean failing;

  public InMemoryJobQueue failing(boolean failing) {
    this.failing = failing;
    return this;
  }

  @Override
  public synchronized String send(String queueUrl, String body, int delaySeconds,
      Map<String, String> attributes) {
    if (failing) {
      throw new TransientFailure("sqs unavailable");
    }
    sent.add(new Sent(queueUrl, body, delaySeconds, Map.copyOf(attributes)));
    return "msg-" + sent.size();
  }

  public synchronized List<Sent> sent() {
    return List.copyOf(sent);
  }
}
