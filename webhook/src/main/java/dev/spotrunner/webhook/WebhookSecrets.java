package dev.spotrunner.webhook;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.common.parameters.Parameters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The webhook secrets from SSM SecureString, cached in memory. Loaded on first use (so nothing is
 * read before a SnapStart snapshot), refreshed after {@link #TTL}, and re-read early when a signature
 * does not match, at most every {@link #RECHECK_AFTER}: a secret rotated in SSM is picked up at once.
 */
public final class WebhookSecrets implements SecretSource {
  public static final Duration TTL = Duration.ofMinutes(5);
  public static final Duration RECHECK_AFTER = Duration.ofSeconds(30);
  private static final Log log = Log.of(WebhookSecrets.class);

  private final Parameters parameters;
  private final List<String> names;
  private final Clock clock;
  private Signature signature;
  private List<Secret> loaded = List.of();
  private Instant loadedAt = Instant.MIN;

  public WebhookSecrets(Parameters parameters, List<String> names, Clock clock) {
    this.parameters = parameters;
    this.names = List.copyOf(names);
    this.clock = clock;
  }

  /** The signature checker for the cached secrets, loading them when missing or stale. */
  @Override
  public synchronized Signature current() {
    if (signature == null || clock.instant().isAfter(loadedAt.plus(TTL))) {
      load();
    }
    return signature;
  }

  /**
   * After a mismatch: re-reads the secrets when the cache is older than {@link #RECHECK_AFTER} and
   * returns the new checker if the secrets changed; empty otherwise.
   */
  @Override
  public synchronized Optional<Signature> recheck() {
    if (signature == null || !clock.instant().isAfter(loadedAt.plus(RECHECK_AFTER))) {
      return Optional.empty();
    }
    List<Secret> before = loaded;
    load();
    return loaded.equals(before) ? Optional.empty() : Optional.of(signature);
  }

  private void load() {
    List<Secret> secrets = new ArrayList<>(names.size());
    try {
      for (String name : names) {
        // a previous secret may already be deleted at the end of a rotation
        parameters.get(name).filter(v -> !v.isEmpty()).map(Secret::new).ifPresent(secrets::add);
      }
    } catch (RuntimeException e) {
      if (signature == null) {
        throw e;
      }
      log.warn("webhook secrets not refreshed, keeping the cached ones", Log.error(e));
      loadedAt = clock.instant();
      return;
    }
    if (secrets.isEmpty()) {
      if (signature != null) {
        log.warn("no webhook secret parameter exists any more, keeping the cached ones",
            Log.entry("parameters", String.join(",", names)));
        loadedAt = clock.instant();
        return;
      }
      throw new TransientFailure("none of the webhook secret parameters exist: " + names);
    }
    loaded = List.copyOf(secrets);
    signature = new Signature(loaded);
    loadedAt = clock.instant();
    log.info("webhook secrets loaded", Log.entry("secrets", loaded.size()));
  }
}
