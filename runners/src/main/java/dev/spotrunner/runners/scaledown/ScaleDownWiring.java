package dev.spotrunner.runners.scaledown;

import java.util.Map;

/** Builds the production {@link ScaleDown} from the environment, once per container. */
final class ScaleDownWiring {
  private ScaleDownWiring() {}

  static ScaleDown fromEnv(Map<String, String> env) {
    ScaleDownSettings settings = ScaleDownSettings.fromEnv(env);
    throw new IllegalStateException("scale-down adapters are not wired yet for pool "
        + settings.pool().poolName());
  }
}
