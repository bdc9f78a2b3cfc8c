package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.PointsMeter;
import dev.spotrunner.common.github.RequestGovernor;
import dev.spotrunner.common.github.Sleeper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Scale-up and this container's share of GitHub's budget (docs/github-app.md#one-budget-per-installation):
 * a job the share cannot pay for now, or one GitHub's limit refuses, launches nothing and goes
 * back to its queue with the pool's backoff, as at the maximum — and the pool's launch lock is
 * never held while a call waits for budget. GitHub is the in-memory fake behind a real
 * {@link RequestGovernor} on the fixture's clock; the sleeper advances that clock and notes
 * whether the lock was held.
 */
class GitHubBudgetTest {
  private final Fixture fixture = new Fixture();
  private final RecordingLock lock = new RecordingLock();
  /** For each wait of the governor: was the pool's launch lock held. */
  private final List<Boolean> waitsWithLockHeld = new ArrayList<>();
  private final Sleeper sleeper = duration -> {
    synchronized (waitsWithLockHeld) {
      waitsWithLockHeld.add(lock.held.get());
    }
    fixture.clock.advance(duration);
  };

  /** GitHub behind a governor of {@code limits} that waits for budget as they allow. */
  private GovernedGitHub github(GovernorLimits limits, boolean yieldOnLimit) {
    GovernedGitHub github = new GovernedGitHub(fixture.github,
        new RequestGovernor(fixture.clock, sleeper, limits, PointsMeter.NONE, yieldOnLimit));
    fixture.githubSeen(github).lock = lock;
    return github;
  }

  /** The container's share spent {@code ago}, {@code posts} POSTs' worth. */
  private void spentEarlier(GovernedGitHub github, int posts, Duration ago) {
    fixture.clock.advance(ago.negated());
    for (int i = 0; i < posts; i++) {
      github.spend("POST");
    }
    fixture.clock.advance(ago);
  }

  private Duration backoff(int wait) {
    return fixture.settings().backoff().delay(wait, fixture.clock.instant(), "linux");
  }

  @Test
  void aSpentBudgetLaunchesNothingAndReturnsTheJobWithTheBackoff() {
    // A share of two POSTs and a GET, both POSTs spent 10 s ago: a runner (GET + POST) does not fit
    // for another 50 s, which a governor allowed to wait 60 s would wait for.
    GovernedGitHub github = github(GovernorLimits.GITHUB.withPointsPerMinute(12), false);
    spentEarlier(github, 2, Duration.ofSeconds(10));
    Instant now = fixture.clock.instant();

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1))));

    assertEquals(0, outcome.launched());
    assertEquals(List.of(), fixture.fleet.launches(), "no instance started");
    assertEquals(0, fixture.github.calls("generate-jitconfig"));
    assertEquals(List.of(new Fixture.Returns.Later(Fixture.job(1), 1, backoff(1))),
        fixture.returns.later, "back to its queue with the pool's first backoff step");
    assertEquals(List.of(), fixture.returns.deadLetters);
    assertEquals(List.of(), outcome.retry(), "its message is replaced, not kept");
    assertEquals(now, fixture.clock.instant(), "nothing waited");
    assertFalse(lock.held.get());
    assertEquals(0, lock.acquired.get(), "the lock is not even taken");
  }

  @Test
  void theLockIsNotHeldWhileWaitingForBudget() {
    // One runner's points (GET + POST, plus the runner group's GET) are left of a share of 12;
    // the second job's would come back 10 s from now, when the POST spent 50 s ago leaves.
    GovernedGitHub github = github(GovernorLimits.GITHUB.withPointsPerMinute(12), false);
    spentEarlier(github, 1, Duration.ofSeconds(50));

    BatchOutcome outcome = fixture.scaleUp().run(List.of(
        QueuedMessage.of("m1", 1, Fixture.job(1)), QueuedMessage.of("m2", 1, Fixture.job(2))));

    assertEquals(List.of(), waitsWithLockHeld.stream().filter(held -> held).toList(),
        "a call waited for budget with the pool's launch lock held");
    assertEquals(1, outcome.launched(), "the job the budget pays for launches");
    assertEquals(List.of(2L), fixture.returns.laterJobIds(), "the other waits");
    assertEquals(backoff(1), fixture.returns.later.getFirst().delay());
    assertEquals(List.of(), fixture.returns.deadLetters);
    assertEquals(1, lock.acquired.get());
    assertFalse(lock.held.get(), "released");
  }

  @Test
  void aJobCheckGitHubRefusesLaunchesNothingAndWaitsWithTheBackoff() {
    // Scale-up's own governor (Wiring): GitHub answers the job check with a secondary-limit 403
    // and retry-after 30 s; the job is not launched on a guess, and nothing waits for the 30 s.
    GovernedGitHub github = github(Wiring.GITHUB_LIMITS, false).secondaryLimitNext(1, 30);
    Instant now = fixture.clock.instant();

    BatchOutcome outcome = fixture.scaleUp().run(List.of(
        QueuedMessage.of("m1", 1, Fixture.job(1)), QueuedMessage.of("m2", 1, Fixture.job(2))));

    assertEquals(0, outcome.launched());
    assertEquals(List.of(), fixture.fleet.launches(), "no instance started");
    assertEquals(List.of(1L, 2L), fixture.returns.laterJobIds());
    assertTrue(fixture.returns.later.stream().allMatch(l -> l.delay().equals(backoff(1))
        && l.waited() == 1));
    assertEquals(List.of(), fixture.returns.deadLetters);
    assertEquals(List.of(), outcome.retry());
    assertEquals(1, github.attempts(), "the second job is not asked about");
    assertEquals(now, fixture.clock.instant(), "nothing waited");
    assertEquals(List.of(), waitsWithLockHeld);
    assertFalse(lock.held.get());
  }

  @Test
  void aWaitingJobComesBackWithAGrowingBackoffAndLaunchesOnceTheBudgetIsBack() {
    GovernedGitHub github = github(Wiring.GITHUB_LIMITS.withPointsPerMinute(12), false);
    spentEarlier(github, 2, Duration.ofSeconds(10));

    fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1))));
    Fixture.Returns.Later first = fixture.returns.later.getFirst();
    fixture.clock.advance(first.delay());
    // its second wait: still within the minute of the spent POSTs
    fixture.scaleUp().run(List.of(QueuedMessage.waited("m2", first.job(), first.waited())));
    Fixture.Returns.Later second = fixture.returns.later.get(1);
    assertEquals(2, second.waited());
    assertEquals(backoff(2), second.delay(), "the pool's second, longer step");
    fixture.clock.advance(Duration.ofMinutes(1));

    BatchOutcome outcome = fixture.scaleUp().run(
        List.of(QueuedMessage.waited("m3", second.job(), second.waited())));

    assertEquals(1, outcome.launched(), "served once the window has room");
    assertEquals(2, fixture.returns.later.size());
    assertEquals(List.of(), fixture.returns.deadLetters);
  }

  /** A lock as SSM's create-if-absent gives it, that says whether it is held. */
  private static final class RecordingLock implements LaunchLock {
    final AtomicBoolean held = new AtomicBoolean();
    final AtomicInteger acquired = new AtomicInteger();

    @Override
    public Optional<Held> tryAcquire() {
      if (!held.compareAndSet(false, true)) {
        return Optional.empty();
      }
      acquired.incrementAndGet();
      return Optional.of(() -> held.set(false));
    }
  }
}
