package dev.spotrunner.runners.pool;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import java.util.Map;

/**
 * Scale-down's side of the pool's queues: where it asks scale-up for warm and rescue runners (the
 * pool's queue: only scale-up launches) and which DLQ it redrives, at most {@code redriveMax}
 * messages a cycle.
 *
 * @param deadLetterUrl null: no redrive
 */
public record PoolQueues(String queueUrl, String deadLetterUrl, int redriveMax) {
  public static final int DEFAULT_REDRIVE_MAX = 20;

  public static PoolQueues fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    String queue = env.required(LambdaVariable.QUEUE_URL);
    String dlq = env.optional(LambdaVariable.DLQ_URL, null);
    int max = env.integer(LambdaVariable.REDRIVE_MAX_MESSAGES, DEFAULT_REDRIVE_MAX, 0, 1000);
    env.check();
    return new PoolQueues(queue, dlq, max);
  }
}
