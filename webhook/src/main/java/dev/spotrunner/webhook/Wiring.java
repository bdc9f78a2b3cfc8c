package dev.spotrunner.webhook;

import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.queue.JobQueue;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the webhook once per container from its settings and the AWS adapters. */
final class Wiring {
  private Wiring() {}

  /** The production wiring: SQS and SSM clients from the SDK's own environment variables. */
  static Webhook webhook(WebhookSettings settings, Map<String, String> env) {
    throw new UnsupportedOperationException("AWS adapters not merged yet");
  }

  /** The webhook over any queue and parameter store: production adapters or test fakes. */
  static Webhook webhook(WebhookSettings settings, JobQueue queue, Parameters parameters,
      JobMetrics metrics, Clock clock) {
    Supplier<PoolRouter> pools = settings.pools() != null
        ? settings::pools
        : new PoolsFromParameter(parameters, settings.poolsParam(), settings.checkRunLegacy());
    return new Webhook(pools, settings.repositories(), settings.checkRunLegacy(),
        settings.maxBodyBytes(), new WebhookSecrets(parameters, settings.secretParams(), clock),
        queue, metrics, clock);
  }

  /**
   * Pools read from SSM on first use — after a SnapStart restore, never before the snapshot — and
   * kept for the container's life, like every other setting.
   */
  static final class PoolsFromParameter implements Supplier<PoolRouter> {
    private final Parameters parameters;
    private final String name;
    private final boolean needsDefault;
    private volatile PoolRouter router;

    PoolsFromParameter(Parameters parameters, String name, boolean needsDefault) {
      this.parameters = parameters;
      this.name = name;
      this.needsDefault = needsDefault;
    }

    @Override
    public PoolRouter get() {
      PoolRouter current = router;
      if (current == null) {
        synchronized (this) {
          if (router == null) {
            String json = parameters.get(name).orElseThrow(() ->
                new IllegalStateException("POOLS_PARAM " + name + " does not exist"));
            PoolRouter parsed = PoolRouter.parse(json);
            if (needsDefault && parsed.defaultPool().isEmpty()) {
              throw new IllegalStateException(
                  "CHECK_RUN_LEGACY needs a pool marked \"default\": true in " + name);
            }
            router = parsed;
          }
          current = router;
        }
      }
      return current;
    }
  }
}
