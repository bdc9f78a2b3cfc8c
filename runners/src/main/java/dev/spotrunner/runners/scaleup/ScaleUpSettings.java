package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.runners.pool.PoolSettings;
import java.util.Map;

/** Scale-up's settings: the pool's, plus whether to ask GitHub if a job still waits. */
public record ScaleUpSettings(PoolSettings pool, boolean jobQueuedCheck) {

  /** Reads every variable once; throws one error naming every missing or malformed one. */
  public static ScaleUpSettings fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    PoolSettings pool = PoolSettings.read(env);
    boolean check = env.bool(LambdaVariable.JOB_QUEUED_CHECK, true);
    env.check();
    return new ScaleUpSettings(pool, check);
  }
}
