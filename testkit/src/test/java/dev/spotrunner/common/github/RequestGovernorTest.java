package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestGovernorTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
  private final ManualClock clock = new ManualClock(START);
  private final List<Duration> sleeps = new ArrayList<>();
  private final RequestGovernor governor = new RequestGovernor(clock, duration -> {
    sleeps.add(duration);
    clock.advance(duration);
  }, GovernorLimits.GITHUB);

  record FakeAnswer(int status, Map<String, String> headers, String body)
      implements RequestGovernor.Answer {
    static FakeAnswer of(int status) {
      return new FakeAnswer(status, Map.of(), "{}");
    }

    @Override
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name));
    }
  }

  /** Answers in order, then keeps repeating the last one. */
  private static RequestGovernor.Attempt<FakeAnswer> answers(FakeAnswer... answers) {
    Deque<FakeAnswer> queue = new ArrayDeque<>(List.of(answers));
    return () -> queue.size() > 1 ? queue.removeFirst() : queue.peekFirst();
  }

  @Test
  void chargesOnePointForReadsAndFiveForChanges() {
    assertThat(RequestGovernor.cost("GET")).isEqualTo(1);
    assertThat(RequestGovernor.cost("HEAD")).isEqualTo(1);
    assertThat(RequestGovernor.cost("OPTIONS")).isEqualTo(1);
    assertThat(RequestGovernor.cost("POST")).isEqualTo(5);
    assertThat(RequestGovernor.cost("DELETE")).isEqualTo(5);
    assertThat(RequestGovernor.cost("PATCH")).isEqualTo(5);
  }

  @Test
  void reportsThePointsLeftInTheCurrentMinute() {
    for (int i = 0; i < 3; i++) {
      governor.execute("i1", "GET", "list", answers(FakeAnswer.of(200)));
    }
    governor.execute("i1", "DELETE", "delete", answers(FakeAnswer.of(204)));
    governor.execute("i1", "DELETE", "delete", answers(FakeAnswer.of(204)));
    assertThat(governor.pointsLeft("i1")).isEqualTo(900 - 13);
    assertThat(governor.pointsLeft("i2")).isEqualTo(900);
    clock.advance(Duration.ofSeconds(60));
    assertThat(governor.pointsLeft("i1")).isEqualTo(900 - 13); // second 60 is still in the window
    clock.advance(Duration.ofMillis(1));
    assertThat(governor.pointsLeft("i1")).isEqualTo(900);
  }

  @Test
  void withoutBudgetWaitASpentBudgetOrAGitHubBlockFailsAtOnceWhile5xxIsStillRetried() {
    List<Duration> waited = new ArrayList<>();
    RequestGovernor noWait = new RequestGovernor(clock, duration -> {
      waited.add(duration);
      clock.advance(duration);
    }, GovernorLimits.GITHUB.withPointsPerMinute(10).withoutBudgetWait());

    noWait.execute("i1", "POST", "first", answers(FakeAnswer.of(201)));
    noWait.execute("i1", "POST", "second", answers(FakeAnswer.of(201)));
    assertThatThrownBy(() -> noWait.execute("i1", "GET", "third", answers(FakeAnswer.of(200))))
        .isInstanceOf(GitHubLimited.class);
    assertThat(waited).isEmpty();

    clock.advance(Duration.ofSeconds(61));
    assertThat(noWait.execute("i1", "GET", "flaky",
        answers(FakeAnswer.of(502), FakeAnswer.of(200))).status()).isEqualTo(200);
    assertThat(waited).containsExactly(GovernorLimits.GITHUB.firstBackoff());

    waited.clear();
    assertThatThrownBy(() -> noWait.execute("i1", "GET", "blocked", answers(
        new FakeAnswer(403, Map.of("retry-after", "5"), "secondary rate limit"),
        FakeAnswer.of(200)))).isInstanceOf(GitHubLimited.class);
    assertThat(waited).as("no wait for GitHub's retry-after either").isEmpty();
  }

  @Test
  void waitsForTheWindowWhenTheMinutesBudgetIsSpent() {
    for (int i = 0; i < 180; i++) {
      governor.execute("i1", "POST", "jit", answers(FakeAnswer.of(201)));
      clock.advance(Duration.ofMillis(100));
    }
    assertThat(governor.pointsLeft("i1")).isZero();
    assertThat(sleeps).isEmpty();

    governor.execute("i1", "GET", "list", answers(FakeAnswer.of(200)));

    // the first POST (at START) must leave the window before one more point fits
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(60).plusMillis(1));
    assertThat(governor.pointsLeft("i1")).isEqualTo(4);
  }

  @Test
  void countsACallAtSecondSixtyAgainstTheWindowThatOpenedAtSecondZero() {
    governor.execute("i1", "POST", "jit", answers(FakeAnswer.of(201)));
    for (int i = 1; i < 180; i++) {
      governor.execute("i1", "POST", "jit", answers(FakeAnswer.of(201)));
    }
    clock.advance(Duration.ofSeconds(60));

    governor.execute("i1", "GET", "list", answers(FakeAnswer.of(200)));

    // at second 60 the 900 points of second 0 still count: the GET waits one millisecond more
    assertThat(sleeps).containsExactly(Duration.ofMillis(1));
  }

  @Test
  void datesASpendWhenItsAnswerArrivedSoSecondFiftyNineCountsAtSecondSixtyOne() {
    // 180 POSTs reserved at second 0 whose answers arrive at second 59 (a slow GitHub)
    Instant answered = START.plusSeconds(59);
    for (int i = 0; i < 180; i++) {
      governor.execute("i1", "POST", "jit", () -> {
        if (clock.instant().isBefore(answered)) {
          clock.advance(Duration.between(clock.instant(), answered));
        }
        return FakeAnswer.of(201);
      });
    }
    clock.advance(Duration.ofSeconds(2)); // second 61
    assertThat(governor.pointsLeft("i1")).isZero();

    governor.execute("i1", "GET", "list", answers(FakeAnswer.of(200)));

    assertThat(clock.instant()).isEqualTo(answered.plusSeconds(60).plusMillis(1));
  }

  @Test
  void waitsAsLongAsRetryAfterSaysThenSucceeds() {
    FakeAnswer limited = new FakeAnswer(403, Map.of("retry-after", "7"),
        "{\"message\":\"You have exceeded a secondary rate limit.\"}");

    FakeAnswer answer = governor.execute("i1", "GET", "list", answers(limited, FakeAnswer.of(200)));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(7));
  }

  @Test
  void waitsForTheRateLimitResetWhenNothingRemains() {
    FakeAnswer exhausted = new FakeAnswer(403, Map.of("x-ratelimit-remaining", "0",
        "x-ratelimit-reset", String.valueOf(START.plusSeconds(30).getEpochSecond())),
        "{\"message\":\"API rate limit exceeded for installation ID 1.\"}");

    FakeAnswer answer = governor.execute("i1", "GET", "job", answers(exhausted, FakeAnswer.of(200)));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(30));
  }

  @Test
  void waitsAMinuteOnASecondaryLimitAnswerWithoutHeaders() {
    FakeAnswer limited = new FakeAnswer(429, Map.of(),
        "{\"message\":\"You have exceeded a secondary rate limit\"}");

    governor.execute("i1", "GET", "list", answers(limited, FakeAnswer.of(200)));

    assertThat(clock.instant()).isEqualTo(START.plusSeconds(60));
  }

  @Test
  void holdsBackEveryCallerOfTheInstallationAfterTheLastPointIsUsed() {
    FakeAnswer lastOne = new FakeAnswer(200, Map.of("x-ratelimit-remaining", "0",
        "x-ratelimit-reset", String.valueOf(START.plusSeconds(20).getEpochSecond())), "{}");
    governor.execute("i1", "GET", "list", answers(lastOne));
    assertThat(governor.pointsLeft("i1")).isZero();
    assertThat(governor.pointsLeft("i2")).isEqualTo(900);

    governor.execute("i1", "GET", "list", answers(FakeAnswer.of(200)));

    assertThat(clock.instant()).isEqualTo(START.plusSeconds(20));
  }

  @Test
  void retriesServerErrorsWithExponentialBackoff() {
    FakeAnswer answer = governor.execute("i1", "GET", "list",
        answers(FakeAnswer.of(502), FakeAnswer.of(503), FakeAnswer.of(200)));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void retriesNetworkErrors() {
    AtomicInteger calls = new AtomicInteger();
    FakeAnswer answer = governor.execute("i1", "GET", "list", () -> {
      if (calls.incrementAndGet() == 1) {
        throw new IOException("connection reset");
      }
      return FakeAnswer.of(200);
    });
    assertThat(answer.status()).isEqualTo(200);
    assertThat(calls).hasValue(2);
  }

  @Test
  void givesUpAsTransientAfterTheAttemptBudget() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> governor.execute("i1", "DELETE", "delete runner 5", () -> {
      calls.incrementAndGet();
      return FakeAnswer.of(502);
    })).isInstanceOf(TransientFailure.class).hasMessageContaining("delete runner 5")
        .hasMessageContaining("502");
    assertThat(calls).hasValue(4);
  }

  @Test
  void givesUpAtOnceWhenGitHubAsksForALongerWaitThanTheBudget() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> governor.execute("i1", "GET", "list", () -> {
      calls.incrementAndGet();
      return new FakeAnswer(403, Map.of("retry-after", "3600"), "{}");
    })).isInstanceOf(TransientFailure.class).hasMessageContaining("rate limited");
    assertThat(calls).hasValue(1);
    assertThat(sleeps).isEmpty();
    assertThat(governor.pointsLeft("i1")).isZero();
  }

  @Test
  void hasClientErrorsAnsweredWithoutRetrying() {
    AtomicInteger calls = new AtomicInteger();
    FakeAnswer forbidden = new FakeAnswer(403, Map.of(),
        "{\"message\":\"Resource not accessible by integration\"}");
    assertThat(governor.execute("i1", "GET", "x", () -> {
      calls.incrementAndGet();
      return forbidden;
    }).status()).isEqualTo(403);
    assertThat(governor.execute("i1", "GET", "x", () -> {
      calls.incrementAndGet();
      return FakeAnswer.of(404);
    }).status()).isEqualTo(404);
    assertThat(calls).hasValue(2);
  }

  @Test
  void neverExceedsTheBudgetWithConcurrentCallers() throws Exception {
    // The clock moves only while every worker waits in the sleeper having seen the current time,
    // so no send happens later than its reservation.
    Map<Thread, Instant> waitingSince = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger active = new AtomicInteger(10);
    RequestGovernor shared = new RequestGovernor(clock, duration -> {
      synchronized (clock) {
        Instant seen = clock.instant();
        waitingSince.put(Thread.currentThread(), seen);
        clock.notifyAll();
        while (clock.instant().equals(seen)) {
          clock.wait();
        }
        waitingSince.remove(Thread.currentThread());
        clock.notifyAll();
      }
    }, GovernorLimits.GITHUB.withBackoff(Duration.ofSeconds(1), Duration.ofHours(1)));
    List<long[]> sends = Collections.synchronizedList(new ArrayList<>());
    ExecutorService workers = Executors.newFixedThreadPool(10);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      done.add(workers.submit(() -> {
        try {
          for (int i = 0; i < 150; i++) {
            String method = i % 2 == 0 ? "GET" : "DELETE";
            shared.execute("i1", method, "call", () -> {
              sends.add(new long[] {clock.millis(), RequestGovernor.cost(method)});
              return FakeAnswer.of(200);
            });
          }
        } finally {
          active.decrementAndGet();
          synchronized (clock) {
            clock.notifyAll();
          }
        }
      }));
    }
    synchronized (clock) {
      while (active.get() > 0) {
        Instant now = clock.instant();
        if (waitingSince.size() == active.get()
            && waitingSince.values().stream().allMatch(now::equals)) {
          clock.advance(Duration.ofSeconds(1));
        } else {
          clock.wait(10);
        }
      }
    }
    for (Future<?> future : done) {
      future.get(10, TimeUnit.SECONDS);
    }
    workers.shutdown();

    assertThat(sends).hasSize(1500);
    for (long[] send : sends) {
      long inWindow = sends.stream()
          .filter(other -> other[0] > send[0] - 60_000 && other[0] <= send[0])
          .mapToLong(other -> other[1]).sum();
      assertThat(inWindow).isLessThanOrEqualTo(900);
    }
    // 4500 points at 900 per minute need at least four further windows
    assertThat(clock.instant()).isAfterOrEqualTo(START.plus(Duration.ofMinutes(4)));
  }

  @Test
  void allowsAtMostTheConcurrentRequestLimit() throws Exception {
    RequestGovernor limited = new RequestGovernor(clock, clock.sleeper(),
        new GovernorLimits(900, 5, 4, Duration.ofSeconds(60), Duration.ofSeconds(1)));
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(12);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      futures.add(pool.submit(() -> limited.execute("i1", "GET", "x", () -> {
        most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        release.await();
        inFlight.decrementAndGet();
        return FakeAnswer.of(200);
      })));
    }
    while (inFlight.get() < 5) {
      Thread.onSpinWait();
    }
    Thread.sleep(100); // give a sixth caller the chance to get in, if the limit were broken
    assertThat(most).hasValue(5);
    release.countDown();
    for (Future<?> future : futures) {
      future.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(most).hasValue(5);
  }
}
