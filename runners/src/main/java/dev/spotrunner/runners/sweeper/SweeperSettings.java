package dev.spotrunner.runners.sweeper;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.github.GitHubAppSettings;
import java.time.Duration;
import java.util.Map;

/**
 * The sweeper's settings, as Terraform sets them (modules/sweeper): how far back a run looks
 * ({@code SWEEPER_LOOKBACK_MINUTES}, default 60) and the most GitHub points one run may spend
 * ({@code SWEEPER_MAX_POINTS}, default 200, split across the Apps), plus where the GitHub Apps'
 * credentials are (every App of {@code GITHUB_APP_ID_PARAM}/{@code GITHUB_APP_KEY_PARAM}).
 */
public record SweeperSettings(GitHubAppSettings github, Duration lookback, int maxPointsPerRun) {
  public static final int DEFAULT_LOOKBACK_MINUTES = 60;
  public static final int DEFAULT_MAX_POINTS = 200;

  public SweeperSettings {
    // the points are split across the Apps: each App's share covers a page and a redelivery
    if (maxPointsPerRun / github.apps().size()
        < HookDeliveries.GET_POINTS + HookDeliveries.POST_POINTS) {
      throw new IllegalArgumentException(
          "a sweep needs at least one page and one redelivery per App");
    }
  }

  /** Reads every variable; throws naming all that are missing or malformed. */
  public static SweeperSettings fromEnv(Map<String, String> values) {
    Env env = new Env(values);
    GitHubAppSettings github = GitHubAppSettings.read(env);
    // GitHub keeps deliveries for 3 days; a run looks no further back than that
    Duration lookback = env.minutes(LambdaVariable.SWEEPER_LOOKBACK_MINUTES,
        DEFAULT_LOOKBACK_MINUTES, 5, 3 * 24 * 60);
    int points = env.integer(LambdaVariable.SWEEPER_MAX_POINTS, DEFAULT_MAX_POINTS,
        HookDeliveries.GET_POINTS + HookDeliveries.POST_POINTS, 900);
    env.check();
    return new SweeperSettings(github, lookback, points);
  }
}
