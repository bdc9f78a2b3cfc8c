package dev.spotrunner.local.driver;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.InvocationResult;
import dev.spotrunner.local.lambda.Invoker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An EventBridge scheduled rule targeting a function: fires at the times its schedule expression
 * gives (a rate rule one period after it was created and every period after, a cron rule at each
 * matching minute) and invokes the function asynchronously with a scheduled event, as EventBridge
 * does — a slow invocation does not hold back the next firing.
 */
public final class Schedule implements AutoCloseable {
  private static final Log log = Log.of(Schedule.class);

  private final String ruleArn;
  private final ScheduleExpression expression;
  private final Invoker function;
  private final Clock clock;
  private final String region;
  private final Thread timer;
  private final AtomicLong runs = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean closed;

  public Schedule(String ruleArn, ScheduleExpression expression, Invoker function, Clock clock, String region) {
    this.ruleArn = ruleArn;
    this.expression = expression;
    this.function = function;
    this.clock = clock;
    this.region = region;
    Instant created = clock.instant();
    this.timer = Thread.ofVirtual().name("schedule-" + ruleArn).start(() -> {
      Instant last = created;
      while (!closed) {
        Instant next = expression.nextAfter(created, last);
        try {
          Thread.sleep(Duration.between(clock.instant(), next).toMillis() + 1);
        } catch (IllegalArgumentException e) {
          // next is already past
        } catch (InterruptedException e) {
          return;
        }
        if (!closed) {
          last = next;
          Thread.ofVirtual().name("scheduled-" + ruleArn).start(this::fire);
        }
      }
    });
  }

  public ScheduleExpression expression() {
    return expression;
  }

  /** Invokes the function once now with a scheduled event, as the rule does when it fires. */
  public InvocationResult fire() {
    InvocationResult result = function.invoke(Events.scheduled(ruleArn, clock.instant(), region));
    runs.incrementAndGet();
    if (result.failed()) {
      failures.incrementAndGet();
      log.warn("scheduled invocation failed", entry("rule", ruleArn), entry("error_type", result.errorType()));
    }
    return result;
  }

  /** Invocations answered so far. */
  public long runs() {
    return runs.get();
  }

  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    closed = true;
    timer.interrupt();
  }
}
