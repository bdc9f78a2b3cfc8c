package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.job.PoolDefinition;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolRouterTest {
  private static final PoolRouter ROUTER = PoolRouter.parse("""
      [{"name":"gpu","labels":["self-hosted","linux","gpu"],"match":"exact","priority":1,"queueUrl":"q-gpu"},
       {"name":"small","labels":["self-hosted","linux","x64"],"priority":5,"queueUrl":"q-small","delaySeconds":0},
       {"name":"large","labels":["self-hosted","linux","x64","large"],"priority":5,"queueUrl":"q-large"},
       {"name":"any","labels":["self-hosted","linux","x64","arm64","large"],"priority":9,"queueUrl":"q-any","default":true}]
      """);

  private static Optional<String> route(String... labels) {
    return ROUTER.route(List.of(labels)).map(PoolDefinition::name);
  }

  @Test
  void routesWhenEveryJobLabelIsAmongThePoolsLabels() {
    assertThat(route("self-hosted", "x64")).contains("small");
    assertThat(route("self-hosted", "large")).contains("large");
    assertThat(route("arm64")).contains("any");
  }

  @Test
  void matchesLabelsWhateverTheirCase() {
    assertThat(route("Self-Hosted", "LINUX", "X64")).contains("small");
  }

  @Test
  void exactPoolsNeedTheSameSet() {
    assertThat(route("self-hosted", "linux", "gpu")).contains("gpu");
    assertThat(route("self-hosted", "gpu")).isEmpty();
  }

  @Test
  void lowestPriorityNumberWinsAndTiesGoToTheFirstListed() {
    // small and large both have priority 5 and both hold these labels; small is listed first
    assertThat(route("self-hosted", "linux")).contains("small");
  }

  @Test
  void githubHostedLabelsMatchNoPool() {
    assertThat(route("ubuntu-latest")).isEmpty();
    assertThat(route()).isEmpty();
  }

  @Test
  void defaultsToSubsetMatchingAndThirtySecondsDelay() {
    PoolDefinition large = ROUTER.pools().get(2);
    assertThat(large.match()).isEqualTo(PoolDefinition.Match.SUBSET);
    assertThat(large.delaySeconds()).isEqualTo(30);
    assertThat(ROUTER.pools().get(1).delaySeconds()).isZero();
  }

  @Test
  void findsThePoolMarkedDefault() {
    assertThat(ROUTER.defaultPool().map(PoolDefinition::name)).contains("any");
  }

  @Test
  void refusesPoolListsThatCannotWork() {
    assertThatThrownBy(() -> PoolRouter.parse("[]")).hasMessageContaining("at least one pool");
    assertThatThrownBy(() -> PoolRouter.parse("{\"name\":\"a\"}")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PoolRouter.parse(
        "[{\"name\":\"a\",\"labels\":[\"x\"],\"queueUrl\":\"q\"},{\"name\":\"a\",\"labels\":[\"y\"],\"queueUrl\":\"q\"}]"))
        .hasMessageContaining("used twice");
    assertThatThrownBy(() -> PoolRouter.parse(
        "[{\"name\":\"a\",\"labels\":[\"x\"],\"queueUrl\":\"q\",\"delaySeconds\":901}]"))
        .hasMessageContaining("0-900");
    assertThatThrownBy(() -> PoolRouter.parse("[{\"name\":\"a\",\"labels\":[\"x\"]}]"))
        .hasMessageContaining("queueUrl");
    assertThatThrownBy(() -> PoolRouter.parse(
        "[{\"name\":\"a\",\"labels\":[\"x\"],\"queueUrl\":\"q\",\"match\":\"fuzzy\"}]"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
