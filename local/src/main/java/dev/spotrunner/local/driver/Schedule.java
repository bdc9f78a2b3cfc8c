package dev.spotrunner.local.driver;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.InvocationResult;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** An EventBridge schedule: invokes a function with a scheduled event at a fixed rate. */
public final class Schedule implements AutoCloseable {
  private static final Log log = Log.of(Schedule.class);

  private final String name;
  private final Invoker function;
  private final Clock clock;
  private final String region;
  private final ScheduledExecutorService timer;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  public Schedule(String name, Invoker function, Duration rate, Duration firstAfter, Clock clock, String region) {
    this.name = name;
    this.function = function;
    this.clock = clock;
    this.region = region;
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("schedule-" + name).factory());
    timer.scheduleWithFixedDelay(this::fire, firstAfter.toMillis(), rate.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Invokes the function once now, as the schedule would. */
  public InvocationResult fire() {
    InvocationResult result = function.invoke(Events.scheduled(
        "arn:aws:events:" + region + ":123456789012:rule/" + name, clock.instant(), region));
    runs.incrementAndGet();
    if (result.failed()) {
      failures.incrementAndGet();
      log.warn("scheduled invocation failed", entry("schedule", name), entry("error_type", result.errorType()));
    }
    return result;
  }

  public long runs() {
    return runs.get();
  }

  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
