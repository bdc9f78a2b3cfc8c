package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.log.Secret;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InstallationTokensTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final List<Long> issued = new ArrayList<>();
  private final InstallationTokens tokens = new InstallationTokens(clock, id -> {
    synchronized (issued) {
      issued.add(id);
      return new InstallationToken(id, new Secret("ghs_" + id + "_" + issued.size()),
          clock.instant().plus(Duration.ofHours(1)));
    }
  });

  @Test
  void reusesATokenAcrossCallsWhileItIsFresh() {
    InstallationToken first = tokens.get(7);
    clock.advance(Duration.ofMinutes(54));
    assertThat(tokens.get(7)).isSameAs(first);
    assertThat(issued).containsExactly(7L);
  }

  @Test
  void refreshesFiveMinutesBeforeExpiry() {
    InstallationToken first = tokens.get(7);
    clock.advance(Duration.ofMinutes(55));
    InstallationToken second = tokens.get(7);
    assertThat(second).isNotSameAs(first);
    assertThat(second.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    assertThat(issued).containsExactly(7L, 7L);
  }

  @Test
  void keepsOneTokenPerInstallation() {
    InstallationToken seven = tokens.get(7);
    InstallationToken eight = tokens.get(8);
    assertThat(seven.token()).isNotEqualTo(eight.token());
    assertThat(tokens.get(7)).isSameAs(seven);
    assertThat(tokens.get(8)).isSameAs(eight);
    assertThat(issued).containsExactly(7L, 8L);
  }

  @Test
  void replacesATokenGitHubRefused() {
    InstallationToken first = tokens.get(7);
    tokens.forget(7, first);
    assertThat(tokens.get(7)).isNotSameAs(first);
  }

  @Test
  void asksOnceWhenManyThreadsNeedATokenAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger done = new AtomicInteger();
    for (int i = 0; i < 32; i++) {
      pool.submit(() -> {
        start.await();
        tokens.get(9);
        return done.incrementAndGet();
      });
    }
    start.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(done).hasValue(32);
    assertThat(issued).containsExactly(9L);
  }

  @Test
  void neverShowsTheTokenInToString() {
    assertThat(tokens.get(7).toString()).doesNotContain("ghs_");
  }
}
