package dev.spotrunner.common.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff =
      new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), Duration.ofSeconds(10));

  private List<Long> delays(double random) {
    return IntStream.range(0, 7).mapToObj(n -> backoff.delay(n, random).toMillis()).toList();
  }

  @Test
  void doublesEachStepUpToTheCapWithHalfOfItRandom() {
    assertEquals(List.of(125L, 250L, 500L, 1000L, 2000L, 2000L, 2000L), delays(0));
    assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 4000L, 4000L), delays(1));
    assertEquals(3000L, backoff.delay(4, 0.5).toMillis());
    assertEquals(4000L, backoff.delay(1000, 1).toMillis());
  }

  @Test
  void noWaitEndsAfterTheBudget() {
    assertTrue(backoff.allows(Duration.ofSeconds(6), Duration.ofSeconds(4)));
    assertFalse(backoff.allows(Duration.ofMillis(6001), Duration.ofSeconds(4)));
  }

  @Test
  void refusesAStepLongerThanItsCap() {
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(4), Duration.ofSeconds(10)));
  }
}
