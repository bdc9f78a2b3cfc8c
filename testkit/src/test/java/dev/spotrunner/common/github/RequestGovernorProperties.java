package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.testkit.fakes.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RequestGovernorProperties {
  record Call(String method, long pauseMillis) {}

  @Property(tries = 200)
  void spendsNoMoreThanTheBudgetInAnySixtySeconds(@ForAll("calls") List<Call> calls) {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    int budget = 23;
    RequestGovernor governor = new RequestGovernor(clock, clock.sleeper(),
        GovernorLimits.GITHUB.withPointsPerMinute(budget)
            .withBackoff(Duration.ofSeconds(1), Duration.ofHours(10)));
    List<long[]> sends = new ArrayList<>();
    for (Call call : calls) {
      clock.advance(Duration.ofMillis(call.pauseMillis()));
      int before = governor.pointsLeft("i");
      governor.execute("i", call.method(), "call", () -> {
        sends.add(new long[] {clock.millis(), RequestGovernor.cost(call.method())});
        return new RequestGovernorTest.FakeAnswer(200, Map.of(), "{}");
      });
      assertThat(before).isBetween(0, budget);
    }
    for (long[] send : sends) {
      long spent = sends.stream().filter(o -> o[0] > send[0] - 60_000 && o[0] <= send[0])
          .mapToLong(o -> o[1]).sum();
      assertThat(spent).isLessThanOrEqualTo(budget);
    }
    assertThat(sends).hasSize(calls.size());
  }

  @Provide
  Arbitrary<List<Call>> calls() {
    return Combinators.combine(
            Arbitraries.of("GET", "HEAD", "POST", "DELETE", "PATCH"),
            Arbitraries.longs().between(0, 20_000))
        .as(Call::new).list().ofMaxSize(60);
  }
}
