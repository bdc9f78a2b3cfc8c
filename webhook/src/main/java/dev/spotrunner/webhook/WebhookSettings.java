package dev.spotrunner.webhook;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import java.util.List;

/**
 * The webhook's settings, read once per container from the variables {@link LambdaVariable}
 * declares for it. Pools come either inline ({@code POOLS}) or from SSM ({@code POOLS_PARAM}).
 *
 * @param secretParams SSM SecureString names, current secret first, then previous ones
 * @param pools the parsed pools when {@code POOLS} is set, else null
 * @param poolsParam the SSM parameter holding the pools JSON when {@code POOLS_PARAM} is set, else null
 */
public record WebhookSettings(
    String environment,
    List<String> secretParams,
    PoolRouter pools,
    String poolsParam,
    RepositoryPolicy repositories,
    int maxBodyBytes,
    boolean checkRunLegacy) {

  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  /** Lambda's own request limit; a larger setting could never apply. */
  public static final int LARGEST_MAX_BODY_BYTES = 6 * 1024 * 1024;

  public WebhookSettings {
    secretParams = List.copyOf(secretParams);
    if ((pools == null) == (poolsParam == null)) {
      throw new IllegalArgumentException("exactly one of pools and poolsParam is required");
    }
  }

  /** Reads and checks every variable; one {@code SettingsException} names all problems. */
  public static WebhookSettings fromEnv(java.util.Map<String, String> variables) {
    Env env = new Env(variables);
    String environment = env.required(LambdaVariable.ENVIRONMENT);
    List<String> secretParams = env.list(LambdaVariable.WEBHOOK_SECRET_PARAMS, List.of());
    if (secretParams.isEmpty()) {
      env.problem(LambdaVariable.WEBHOOK_SECRET_PARAMS.name() + " is required");
    }
    boolean legacy = env.bool(LambdaVariable.CHECK_RUN_LEGACY, false);
    PoolRouter pools = env.parsed(LambdaVariable.POOLS, PoolRouter::parse, null);
    String poolsParam = env.raw(LambdaVariable.POOLS_PARAM);
    boolean inline = env.raw(LambdaVariable.POOLS) != null;
    if (inline && poolsParam != null) {
      env.problem("set either POOLS or POOLS_PARAM, not both");
    } else if (!inline && poolsParam == null) {
      env.problem("one of POOLS or POOLS_PARAM is required");
    }
    if (pools != null && legacy && pools.defaultPool().isEmpty()) {
      env.problem("CHECK_RUN_LEGACY needs a pool marked \"default\": true in POOLS");
    }
    List<String> allowList = env.list(LambdaVariable.REPOSITORY_ALLOW_LIST, List.of());
    RepositoryPolicy repositories = null;
    try {
      repositories = new RepositoryPolicy(
          allowList, env.bool(LambdaVariable.ALLOW_PUBLIC_REPOSITORIES, false));
    } catch (IllegalArgumentException e) {
      env.problem(LambdaVariable.REPOSITORY_ALLOW_LIST.name() + " is malformed: " + e.getMessage());
    }
    int maxBody = env.integer(
        LambdaVariable.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, 1, LARGEST_MAX_BODY_BYTES);
    env.check();
    return new WebhookSettings(environment, secretParams, inline ? pools : null,
        inline ? null : poolsParam, repositories, maxBody, legacy);
  }
}
