package dev.spotrunner.common.queue;

import java.util.Map;

/** Sends messages to a pool's queue (SQS). Adapters throw TransientFailure when SQS fails. */
public interface JobQueue {
  /** Sends one message; returns SQS's message id. */
  String send(String queueUrl, String body, int delaySeconds, Map<String, String> attributes);
}
