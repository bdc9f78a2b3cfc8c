package dev.spotrunner.common.queue;

import java.util.List;
import java.util.Map;

/**
 * A pool's queue (SQS). Adapters throw TransientFailure when SQS fails. The webhook only sends;
 * scale-up also moves a received message's visibility, scale-down reads and deletes dead letters —
 * adapters that only send leave those three to their defaults, which refuse.
 */
public interface JobQueue {
  /** Sends one message; returns SQS's message id. */
  String send(String queueUrl, String body, int delaySeconds, Map<String, String> attributes);

  /** One received message: its id, receipt handle, body, string attributes and receive count. */
  record Received(String messageId, String receiptHandle, String body,
      Map<String, String> attributes, int receiveCount) {
    public Received {
      attributes = Map.copyOf(attributes);
    }
  }

  /** Makes a received message visible again after {@code seconds} (0..43200). */
  default void changeVisibility(String queueUrl, String receiptHandle, int seconds) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " only sends");
  }

  /** Receives up to {@code max} (1..10) messages, hidden for {@code visibilitySeconds}. */
  default List<Received> receive(String queueUrl, int max, int visibilitySeconds) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " only sends");
  }

  /** Deletes a received message. */
  default void delete(String queueUrl, String receiptHandle) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " only sends");
  }
}
