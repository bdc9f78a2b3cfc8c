package dev.spotrunner.runners.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.runners.breaker.SpotBreaker.Change;
import dev.spotrunner.runners.breaker.SpotBreaker.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpotBreakerTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  private static final String M5 = BreakerKeys.instanceType("m5.large");
  private static final BreakerSettings SETTINGS =
      new BreakerSettings(2, Duration.ofMinutes(10), Duration.ofMinutes(30));
  private final SpotBreaker breaker = new SpotBreaker(SETTINGS);

  private BreakerState interruptions(BreakerState state, Instant... times) {
    for (Instant at : times) {
      state = breaker.record(state, M5, at).state();
    }
    return state;
  }

  @Test
  void opensOnlyWhenMoreThanTheThresholdFallWithinTheWindow() {
    BreakerState two = interruptions(BreakerState.EMPTY, T0, T0.plusSeconds(60));
    assertEquals(Phase.CLOSED, two.phase(M5, T0.plusSeconds(61)));

    SpotBreaker.Result third = breaker.record(two, M5, T0.plusSeconds(120));
    assertEquals(List.of(new Change(M5, Phase.CLOSED, Phase.OPEN, 3)), third.changes());
    assertEquals(Phase.OPEN, third.state().phase(M5, T0.plusSeconds(121)));
  }

  @Test
  void interruptionsOlderThanTheWindowDoNotCount() {
    BreakerState state = interruptions(BreakerState.EMPTY, T0, T0.plusSeconds(90),
        T0.plus(Duration.ofMinutes(11)));
    assertEquals(Phase.CLOSED, state.phase(M5, T0.plus(Duration.ofMinutes(11))));
    assertEquals(2, state.entry(M5).events().size());
  }

  @Test
  void probesAfterTheCoolDownAndClosesAfterAQuietWindow() {
    BreakerState open = interruptions(BreakerState.EMPTY, T0, T0, T0);
    Instant afterCoolDown = T0.plus(Duration.ofMinutes(30));
    assertEquals(Phase.OPEN, open.phase(M5, afterCoolDown.minusSeconds(1)));
    assertEquals(Phase.HALF_OPEN, open.phase(M5, afterCoolDown));

    SpotBreaker.Result probing = breaker.settle(open, afterCoolDown.plusSeconds(1));
    assertEquals(List.of(new Change(M5, Phase.OPEN, Phase.HALF_OPEN, 0)), probing.changes());

    Instant quiet = afterCoolDown.plus(Duration.ofMinutes(10));
    SpotBreaker.Result closed = breaker.settle(probing.state(), quiet);
    assertEquals(List.of(new Change(M5, Phase.HALF_OPEN, Phase.CLOSED, 0)), closed.changes());
    assertEquals(Phase.CLOSED, closed.state().phase(M5, quiet));
    assertEquals(BreakerState.EMPTY, closed.state());
  }

  @Test
  void oneInterruptionDuringTheProbeOpensItAgainForAFullCoolDown() {
    BreakerState open = interruptions(BreakerState.EMPTY, T0, T0, T0);
    Instant probe = T0.plus(Duration.ofMinutes(31));
    SpotBreaker.Result reopened = breaker.record(open, M5, probe);
    assertEquals(new Change(M5, Phase.HALF_OPEN, Phase.OPEN, 1), reopened.changes().getLast());
    assertEquals(Phase.OPEN, reopened.state().phase(M5, probe.plus(Duration.ofMinutes(29))));
    assertEquals(Phase.HALF_OPEN, reopened.state().phase(M5, probe.plus(Duration.ofMinutes(30))));
  }

  @Test
  void interruptionsWhileOpenNeitherExtendNorCount() {
    BreakerState open = interruptions(BreakerState.EMPTY, T0, T0, T0);
    SpotBreaker.Result later = breaker.record(open, M5, T0.plus(Duration.ofMinutes(20)));
    assertEquals(List.of(), later.changes());
    assertEquals(open, later.state());
  }

  @Test
  void aThresholdOfZeroNeverOpens() {
    SpotBreaker off = new SpotBreaker(new BreakerSettings(0, Duration.ofMinutes(10),
        Duration.ofMinutes(30)));
    BreakerState state = BreakerState.EMPTY;
    for (int i = 0; i < 10; i++) {
      state = off.record(state, M5, T0.plusSeconds(i)).state();
    }
    assertEquals(Phase.CLOSED, state.phase(M5, T0.plusSeconds(10)));
  }

  @Test
  void theStateSurvivesItsJson() {
    BreakerState state = interruptions(BreakerState.EMPTY, T0, T0, T0);
    state = breaker.record(state, BreakerKeys.subnet("subnet-1"), T0).state();
    assertEquals(state, BreakerState.parse(state.toJson()));
    assertThrows(IllegalArgumentException.class, () -> BreakerState.parse("{\"breakers\":{\"x\":"
        + "{\"open_until\":\"yesterday\"}}}"));
  }

  @Test
  void theLaunchLeavesOpenMarketsOutThenFailsOverToOnDemand() {
    BreakerState m5Open = interruptions(BreakerState.EMPTY, T0, T0, T0);
    Instant now = T0.plusSeconds(1);
    SpotChoice other = SpotChoice.of(List.of("m5.large", "c5.large"), List.of("subnet-1"),
        m5Open, now, true);
    assertEquals(new SpotChoice(CapacityType.SPOT, List.of("c5.large"), List.of("subnet-1"),
        List.of(M5)), other);

    SpotChoice onDemand = SpotChoice.of(List.of("m5.large"), List.of("subnet-1"), m5Open, now, true);
    assertEquals(CapacityType.ON_DEMAND, onDemand.capacityType());
    assertEquals(List.of("m5.large"), onDemand.instanceTypes());

    SpotChoice noFailover =
        SpotChoice.of(List.of("m5.large"), List.of("subnet-1"), m5Open, now, false);
    assertEquals(CapacityType.SPOT, noFailover.capacityType());

    BreakerState subnetOpen = BreakerState.EMPTY;
    for (int i = 0; i < 3; i++) {
      subnetOpen = breaker.record(subnetOpen, BreakerKeys.subnet("subnet-1"), T0).state();
    }
    assertEquals(List.of("subnet-2"), SpotChoice.of(List.of("m5.large"),
        List.of("subnet-1", "subnet-2"), subnetOpen, now, true).subnetIds());

    Instant probing = T0.plus(Duration.ofMinutes(30));
    assertEquals(new SpotChoice(CapacityType.SPOT, List.of("m5.large"), List.of("subnet-1"),
        List.of()), SpotChoice.of(List.of("m5.large"), List.of("subnet-1"), m5Open, probing, true));
  }
}
