package dev.spotrunner.webhook;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.queue.JobQueue;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the webhook once per container from its settings and the AWS adapters. */
final class Wiring {
  private Wiring() {}

  /**
   * The production wiring: SQS and SSM through the AWS SDK (region from the Lambda environment,
   * endpoints and credentials as the SDK finds them).
   */
  static Webhook webhook(WebhookSettings settings, Map<String, String> env) {
    Clock clock = Clock.systemUTC();
    return webhook(settings, WebhookAws.fromEnv(env, clock), clock);
  }

  /** The webhook over real SQS and SSM (production, or an emulator in integration tests). */
  static Webhook webhook(WebhookSettings settings, WebhookAws aws, Clock clock) {
    // Built here, at init (before a SnapStart snapshot): no connection is opened and no
    // credential fetched until the first call, which happens after the restore. The parameters
    // are not cached: WebhookSecrets keeps the secrets itself and must see a rotation at once.
    return webhook(settings, aws.queue(), aws.parameters(),
        JobMetrics.toStdout(settings.environment(), clock), clock);
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
            router = load();
          }
          current = router;
        }
      }
      return current;
    }

    /**
     * Every failure is transient to the webhook (503, redeliverable): a missing or broken parameter
     * is fixed in SSM and picked up by the next request, since nothing is cached until it parses.
     */
    private PoolRouter load() {
      String json;
      try {
        json = parameters.get(name).orElseThrow(() ->
            new TransientFailure("POOLS_PARAM " + name + " does not exist"));
      } catch (PermanentFailure e) {
        throw new TransientFailure("POOLS_PARAM " + name + " unreadable: " + e.getMessage(), e);
      }
      PoolRouter parsed;
      try {
        parsed = PoolRouter.parse(json);
      } catch (IllegalArgumentException e) {
        throw new TransientFailure("POOLS_PARAM " + name + " is malformed: " + e.getMessage(), e);
      }
      if (needsDefault && parsed.defaultPool().isEmpty()) {
        throw new TransientFailure(
            "CHECK_RUN_LEGACY needs a pool marked \"default\": true in " + name);
      }
      return parsed;
    }
  }
}
