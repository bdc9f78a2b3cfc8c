package dev.spotrunner.local.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Execution environments as Lambda scales them, with real child JVMs ({@link TestFunctions}). */
class FunctionPoolTest {
  @TempDir Path logs;

  static final String SLEEP = "{\"action\":\"sleep\",\"value\":\"1500\"}";

  List<InvocationResult> invokeTogether(FunctionPool pool, int count) throws Exception {
    List<Future<InvocationResult>> futures = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        futures.add(callers.submit(() -> pool.invoke(SLEEP)));
      }
    }
    List<InvocationResult> results = new ArrayList<>();
    for (Future<InvocationResult> future : futures) {
      results.add(future.get());
    }
    return results;
  }

  @Test
  void runsUpToItsConcurrencyAtOnceEachInItsOwnJvmAndQueuesTheRest() throws Exception {
    try (FunctionPool pool = new FunctionPool(LambdaProcessTest.spec("pooled",
        TestFunctions.Actions.class.getName() + "::handleRequest", Duration.ofSeconds(10)), 2, logs,
        Clock.systemUTC())) {
      pool.start();

      List<InvocationResult> results = invokeTogether(pool, 3);

      assertThat(results).noneMatch(InvocationResult::failed);
      assertThat(pool.environments()).isEqualTo(2);
      List<FunctionPool.Invocation> invocations = pool.invocations();
      assertThat(invocations).hasSize(3);
      assertThat(invocations).extracting(FunctionPool.Invocation::pid).doesNotContain(-1L);
      assertThat(invocations.stream().map(FunctionPool.Invocation::pid).distinct()).hasSize(2);
      assertThat(pool.peakConcurrency()).isEqualTo(2);
      assertThat(pool.coldStarts()).hasSize(2);
    }
  }

  @Test
  void withConcurrencyOneInvocationsNeverOverlap() throws Exception {
    try (FunctionPool pool = new FunctionPool(LambdaProcessTest.spec("single",
        TestFunctions.Actions.class.getName() + "::handleRequest", Duration.ofSeconds(10)), 1, logs,
        Clock.systemUTC())) {
      List<InvocationResult> results = invokeTogether(pool, 2);

      assertThat(results).noneMatch(InvocationResult::failed);
      assertThat(pool.environments()).isEqualTo(1);
      assertThat(pool.peakConcurrency()).isEqualTo(1);
    }
  }

  @Test
  void peakOverlapCountsIntervalsOpenAtOnceAndNotThoseThatOnlyTouch() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    List<FunctionPool.Invocation> touching = List.of(
        new FunctionPool.Invocation(0, 1, "a", t, t.plusSeconds(2), false),
        new FunctionPool.Invocation(0, 1, "b", t.plusSeconds(2), t.plusSeconds(4), false));
    List<FunctionPool.Invocation> overlapping = List.of(
        new FunctionPool.Invocation(0, 1, "a", t, t.plusSeconds(3), false),
        new FunctionPool.Invocation(1, 2, "b", t.plusSeconds(1), t.plusSeconds(2), false),
        new FunctionPool.Invocation(2, 3, "c", t.plusSeconds(1), t.plusSeconds(5), false));

    assertThat(FunctionPool.peakOverlap(touching)).isEqualTo(1);
    assertThat(FunctionPool.peakOverlap(overlapping)).isEqualTo(3);
  }
}
