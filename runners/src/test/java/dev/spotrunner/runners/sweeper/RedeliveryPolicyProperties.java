package dev.spotrunner.runners.sweeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RedeliveryPolicyProperties {

  @Property
  void redeliversOnlyQueuedJobsThatNeverSucceededAndWereNeverRedelivered(
      @ForAll("attempts") List<HookDelivery> attempts) {
    Map<String, List<HookDelivery>> byGuid =
        attempts.stream().collect(Collectors.groupingBy(HookDelivery::guid));
    List<RedeliveryPolicy.Decision> decisions = RedeliveryPolicy.decide(attempts);

    List<String> guids = decisions.stream().map(RedeliveryPolicy.Decision::guid).toList();
    assertEquals(byGuid.keySet(), new java.util.HashSet<>(guids));
    assertEquals(byGuid.size(), guids.size());
    for (RedeliveryPolicy.Decision decision : decisions) {
      List<HookDelivery> tries = byGuid.get(decision.guid());
      boolean expected = tries.stream().noneMatch(HookDelivery::succeeded)
          && tries.stream().noneMatch(HookDelivery::redelivery)
          && "workflow_job".equals(decision.attempt().event())
          && "queued".equals(decision.attempt().action())
          && !RedeliveryPolicy.WEBHOOK_VERDICTS.contains(decision.attempt().statusCode());
      assertEquals(expected, decision.verdict() == RedeliveryPolicy.Verdict.REDELIVER,
          decision.toString());
      assertTrue(tries.contains(decision.attempt()));
    }
  }

  @Provide
  Arbitrary<List<HookDelivery>> attempts() {
    Arbitrary<HookDelivery> attempt = Combinators.combine(
        Arbitraries.longs().between(1, 1_000_000),
        Arbitraries.of("g1", "g2", "g3", "g4"),
        Arbitraries.longs().between(0, 3600),
        Arbitraries.of(true, false),
        Arbitraries.of(0, 200, 202, 400, 401, 403, 413, 429, 500, 502, 503))
        .as((id, guid, second, redelivery, status) -> new HookDelivery(id, guid,
            Instant.EPOCH.plusSeconds(second), redelivery, status, "workflow_job",
            // every attempt of a delivery carries the same payload
            guid.equals("g4") ? "completed" : "queued"));
    return attempt.list().ofMaxSize(12);
  }
}
