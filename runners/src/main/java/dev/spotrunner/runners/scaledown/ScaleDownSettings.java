package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scale-down's settings: the pool's own ({@link PoolSettings}) plus the minimum running time, the
 * boot grace time, the warm windows and which idle runners are evicted first.
 */
public record ScaleDownSettings(
    PoolSettings pool,
    Duration minimumRunningTime,
    Duration bootGrace,
    List<WarmWindow> warmWindows,
    Eviction eviction) {

  public ScaleDownSettings {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(minimumRunningTime, "minimumRunningTime");
    Objects.requireNonNull(bootGrace, "bootGrace");
    warmWindows = List.copyOf(warmWindows);
    Objects.requireNonNull(eviction, "eviction");
  }

  /** Reads and checks every variable; one error names every problem. */
  public static ScaleDownSettings fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    PoolSettings pool = PoolSettings.read(env);
    Duration minimum = env.minutes(LambdaVariable.MINIMUM_RUNNING_TIME_MINUTES, 5, 0, 1440);
    Duration grace = env.minutes(LambdaVariable.BOOT_GRACE_MINUTES, 5, 0, 1440);
    List<WarmWindow> windows =
        env.parsed(LambdaVariable.WARM_WINDOWS, WarmWindow::parseList, List.of());
    Eviction eviction = env.oneOf(LambdaVariable.WARM_EVICTION, Eviction.class, Eviction.OLDEST);
    env.check();
    return new ScaleDownSettings(pool, minimum, grace, windows, eviction);
  }
}
