package dev.spotrunner.runners.sweeper;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The redelivery sweeper Lambda, invoked by an EventBridge schedule: GitHub never redelivers a
 * failed webhook by itself, so this sends failed queued-job deliveries again (docs/sweeper.md).
 * The answer is the run's counts by metric name; the same counts go to CloudWatch as EMF.
 */
public final class SweeperHandler implements RequestHandler<Map<String, Object>, Map<String, Integer>> {
  static final String NAMESPACE = "spotrunner";

  private final Sweeper sweeper;
  private final Clock clock;
  private final Consumer<String> emf;

  public SweeperHandler() {
    this(SweeperWiring.fromEnv(System.getenv()), Clock.systemUTC(), System.out::println);
  }

  SweeperHandler(Sweeper sweeper, Clock clock, Consumer<String> emf) {
    this.sweeper = sweeper;
    this.clock = clock;
    this.emf = emf;
  }

  @Override
  public Map<String, Integer> handleRequest(Map<String, Object> event, Context context) {
    dev.spotrunner.common.log.Log.request(context);
    SweepReport report = sweeper.run();
    report.writeTo(SweepReport.metrics(clock, emf));
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (SweepReport.Count count : SweepReport.Count.values()) {
      counts.put(count.metric(), report.get(count));
    }
    return counts;
  }
}
