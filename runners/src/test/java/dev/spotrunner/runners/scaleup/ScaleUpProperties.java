package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The invariants of docs/scale-up.md hold for any mix of redeliveries, capacity and failures. */
class ScaleUpProperties {

  @Provide
  Arbitrary<List<Long>> jobStreams() {
    // Job ids repeat: every repeat is a redelivery of the same job's message.
    return Arbitraries.longs().between(1, 15).list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 500)
  void oneInstancePerJobNeverAboveMaximumNoMessageLost(
      @ForAll("jobStreams") List<Long> stream,
      @ForAll @IntRange(min = 0, max = 12) int max,
      @ForAll @IntRange(min = 0, max = 20) int spotCapacity,
      @ForAll boolean failover,
      @ForAll @IntRange(min = 0, max = 4) int failEveryNthPut) {
    check(stream, max, spotCapacity, failover, failEveryNthPut);
  }

  /**
   * Found by the property in CI: job 4's first message launched an instance whose config could not
   * be stored (so it was terminated); its second message, in the next batch with the same receive
   * count, repeated the ClientToken, got the ended instance back from CreateFleet and left the
   * queue as if launched.
   */
  @Example
  void aRepeatedClientTokenThatReturnsAnEndedInstanceRetriesTheJob() {
    check(List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 2L, 3L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 4L,
        4L), 3, 0, true, 2);
  }

  private static void check(List<Long> stream, int max, int spotCapacity, boolean failover,
      int failEveryNthPut) {
    Fixture fixture = new Fixture().set("MAX_RUNNERS", Integer.toString(max))
        .set("ON_DEMAND_FAILOVER", Boolean.toString(failover));
    fixture.fleet.spotCapacity(spotCapacity);
    int[] puts = {0};
    fixture.parameters.failPutsTo(
        name -> failEveryNthPut > 0 && ++puts[0] % failEveryNthPut == 0);
    for (long id = 1; id <= 15; id++) {
      fixture.github.job(JobQueuedCheckTestJobs.queued(id));
    }

    Set<Long> deletedJobs = new HashSet<>();
    Map<String, Integer> attempts = new java.util.HashMap<>();
    List<QueuedMessage> queue = new ArrayList<>();
    for (int i = 0; i < stream.size(); i++) {
      queue.add(QueuedMessage.of("m" + i, 1, Fixture.job(stream.get(i))));
    }
    for (int round = 0; round < 20 && !queue.isEmpty(); round++) {
      List<QueuedMessage> next = new ArrayList<>();
      for (int from = 0; from < queue.size(); from += 10) {
        List<QueuedMessage> batch = queue.subList(from, Math.min(queue.size(), from + 10));
        int sentBefore = fixture.returns.later.size();
        BatchOutcome outcome = fixture.scaleUp().run(batch);
        // a job sent back to wait left as a new message: it has not left the queue
        List<Fixture.Returns.Later> resent = List.copyOf(
            fixture.returns.later.subList(sentBefore, fixture.returns.later.size()));
        Set<Long> waiting = resent.stream().map(l -> l.job().jobId().value()).collect(Collectors.toSet());
        for (QueuedMessage queued : batch) {
          if (outcome.retry().contains(queued.messageId())) {
            int attempt = attempts.merge(queued.messageId(), 1, Integer::sum) + 1;
            next.add(QueuedMessage.of(queued.messageId(), attempt, queued.job()));
          } else if (!waiting.contains(queued.job().jobId().value())) {
            deletedJobs.add(queued.job().jobId().value());
          }
        }
        for (Fixture.Returns.Later later : resent) {
          next.add(QueuedMessage.waited("w" + round + "-" + later.job().jobId() + "-" + from,
              later.job(), later.waited()));
        }
        assertTrue(fixture.fleet.all().size() <= max, "pool above its maximum");
      }
      queue = next;
      if (round == 0) {
        fixture.parameters.failPutsTo(name -> false);
      }
    }

    List<RunnerInstance> alive = fixture.fleet.all();
    List<String> jobTags = alive.stream().map(i -> i.tag(Tags.JOB_ID)).toList();
    assertEquals(jobTags.size(), new HashSet<>(jobTags).size(), "a job with two instances");
    for (RunnerInstance instance : alive) {
      assertTrue(fixture.parameters.get("/prod/runners/linux/" + instance.id()).isPresent(),
          "an instance without a config");
    }
    Set<Long> withInstance = jobTags.stream().map(Long::parseLong).collect(Collectors.toSet());
    assertEquals(withInstance, deletedJobs, "a message left the queue without its job launched");
  }

  /** Queued jobs for the check on redeliveries. */
  static final class JobQueuedCheckTestJobs {
    static dev.spotrunner.common.github.WorkflowJob queued(long id) {
      return new dev.spotrunner.common.github.WorkflowJob(id, 9000 + id, "queued",
          List.of("self-hosted", "linux"), Fixture.NOW.minusSeconds(60), null);
    }
  }
}
