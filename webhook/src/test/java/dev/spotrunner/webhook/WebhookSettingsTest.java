package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.config.LambdaFunction;
import dev.spotrunner.common.config.LambdaVariable;
import dev.spotrunner.common.config.SettingsException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {
  private static final String POOLS =
      "[{\"name\":\"linux\",\"labels\":[\"self-hosted\"],\"queueUrl\":\"q\",\"default\":true}]";

  @Test
  void readsEveryWebhookVariableWithItsDefault() {
    WebhookSettings settings = WebhookSettings.fromEnv(Map.of(
        "ENVIRONMENT", "prod", "WEBHOOK_SECRET_PARAMS", "/prod/secret, /prod/secret-old", "POOLS", POOLS));

    assertThat(settings.environment()).isEqualTo("prod");
    assertThat(settings.secretParams()).containsExactly("/prod/secret", "/prod/secret-old");
    assertThat(settings.pools().pools()).hasSize(1);
    assertThat(settings.poolsParam()).isNull();
    assertThat(settings.maxBodyBytes()).isEqualTo(1_048_576);
    assertThat(settings.checkRunLegacy()).isFalse();
    assertThat(settings.repositories().check("acme/api", false))
        .isEqualTo(RepositoryPolicy.Verdict.PUBLIC);
    assertThat(settings.repositories().check("acme/api", true))
        .isEqualTo(RepositoryPolicy.Verdict.ALLOWED);
  }

  @Test
  void readsPoolsFromAParameterInstead() {
    WebhookSettings settings = WebhookSettings.fromEnv(Map.of(
        "ENVIRONMENT", "prod", "WEBHOOK_SECRET_PARAMS", "/prod/secret", "POOLS_PARAM", "/prod/pools",
        "REPOSITORY_ALLOW_LIST", "acme/api,Tools/*", "ALLOW_PUBLIC_REPOSITORIES", "true",
        "MAX_BODY_BYTES", "4096", "CHECK_RUN_LEGACY", "true"));

    assertThat(settings.pools()).isNull();
    assertThat(settings.poolsParam()).isEqualTo("/prod/pools");
    assertThat(settings.maxBodyBytes()).isEqualTo(4096);
    assertThat(settings.checkRunLegacy()).isTrue();
    assertThat(settings.repositories().check("ACME/Api", false)).isEqualTo(RepositoryPolicy.Verdict.ALLOWED);
    assertThat(settings.repositories().check("tools/anything", false)).isEqualTo(RepositoryPolicy.Verdict.ALLOWED);
    assertThat(settings.repositories().check("acme/web", true))
        .isEqualTo(RepositoryPolicy.Verdict.NOT_IN_ALLOW_LIST);
  }

  @Test
  void namesEveryProblemInOneError() {
    assertThatThrownBy(() -> WebhookSettings.fromEnv(Map.of(
        "POOLS", "[{\"name\":\"x\"}]", "POOLS_PARAM", "/p", "MAX_BODY_BYTES", "lots",
        "ALLOW_PUBLIC_REPOSITORIES", "maybe", "REPOSITORY_ALLOW_LIST", "not a repo")))
        .isInstanceOfSatisfying(SettingsException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.startsWith("ENVIRONMENT is required"))
            .anyMatch(p -> p.startsWith("WEBHOOK_SECRET_PARAMS is required"))
            .anyMatch(p -> p.startsWith("POOLS is malformed"))
            .anyMatch(p -> p.contains("either POOLS or POOLS_PARAM"))
            .anyMatch(p -> p.startsWith("MAX_BODY_BYTES must be an integer"))
            .anyMatch(p -> p.startsWith("ALLOW_PUBLIC_REPOSITORIES must be true or false"))
            .anyMatch(p -> p.startsWith("REPOSITORY_ALLOW_LIST is malformed")));
  }

  @Test
  void needsPoolsFromOneSource() {
    assertThatThrownBy(() -> WebhookSettings.fromEnv(Map.of(
        "ENVIRONMENT", "prod", "WEBHOOK_SECRET_PARAMS", "/prod/secret")))
        .hasMessageContaining("one of POOLS or POOLS_PARAM is required");
  }

  @Test
  void legacyCheckRunsNeedADefaultPool() {
    assertThatThrownBy(() -> WebhookSettings.fromEnv(Map.of(
        "ENVIRONMENT", "prod", "WEBHOOK_SECRET_PARAMS", "/s", "CHECK_RUN_LEGACY", "true",
        "POOLS", "[{\"name\":\"linux\",\"labels\":[\"self-hosted\"],\"queueUrl\":\"q\"}]")))
        .hasMessageContaining("CHECK_RUN_LEGACY needs a pool marked");
  }

  @Test
  void readsOnlyVariablesDeclaredForTheWebhook() {
    assertThat(LambdaVariable.namesFor(LambdaFunction.WEBHOOK)).containsExactlyInAnyOrder(
        "ENVIRONMENT", "WEBHOOK_SECRET_PARAMS", "POOLS", "POOLS_PARAM", "REPOSITORY_ALLOW_LIST",
        "ALLOW_PUBLIC_REPOSITORIES", "MAX_BODY_BYTES", "CHECK_RUN_LEGACY");
  }
}
