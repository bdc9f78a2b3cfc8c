package dev.spotrunner.runners.breaker;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import java.util.Optional;

/**
 * Where a pool's breakers live: the SSM parameter {@code /<environment>/interruptions/<pool>/breaker}
 * (SecureString, as every parameter spotrunner writes). The interruption function is its only writer
 * (reserved concurrency 1); launchers only read it.
 */
public final class BreakerStore {
  private static final Log log = Log.of(BreakerStore.class);

  private final Parameters parameters;

  public BreakerStore(Parameters parameters) {
    this.parameters = parameters;
  }

  public static String parameterName(String environment, String pool) {
    return "/" + environment + "/interruptions/" + pool + "/breaker";
  }

  /** The pool's breakers; a missing or unreadable state is all closed (spot as configured). */
  public BreakerState read(String environment, String pool) {
    String name = parameterName(environment, pool);
    Optional<String> json;
    try {
      json = parameters.get(name);
    } catch (RuntimeException e) {
      log.warn("breaker state not read, spot as configured", entry("pool", pool),
          entry("failure", Log.error(e).value()));
      return BreakerState.EMPTY;
    }
    if (json.isEmpty()) {
      return BreakerState.EMPTY;
    }
    try {
      return BreakerState.parse(json.get());
    } catch (IllegalArgumentException e) {
      log.warn("breaker state malformed, spot as configured", entry("pool", pool),
          entry("parameter", name), entry("failure", e.getMessage()));
      return BreakerState.EMPTY;
    }
  }

  /** Reads the state for a change: a failure to read throws, so no state is overwritten blind. */
  public BreakerState readForUpdate(String environment, String pool) {
    return parameters.getFresh(parameterName(environment, pool))
        .map(BreakerState::parse).orElse(BreakerState.EMPTY);
  }

  public void write(String environment, String pool, BreakerState state) {
    String name = parameterName(environment, pool);
    if (state.entries().isEmpty()) {
      parameters.delete(name);
    } else {
      parameters.putSecure(name, state.toJson());
    }
  }
}
