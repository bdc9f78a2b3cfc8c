package dev.spotrunner.runners.interruption;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.spotrunner.common.json.Json;
import java.time.Clock;
import java.util.Map;

/**
 * The interruption Lambda, invoked by EventBridge rules for spot interruption warnings, rebalance
 * recommendations (opt-in), instance terminations and a schedule (docs/interruptions.md). The
 * answer names what became of the event. A failure throws: EventBridge's asynchronous invocation
 * retries the event.
 */
public final class InterruptionHandler
    implements RequestHandler<Map<String, Object>, Map<String, String>> {
  private final Interruptions interruptions;
  private final Clock clock;

  public InterruptionHandler() {
    this(InterruptionWiring.fromEnv(System.getenv()), Clock.systemUTC());
  }

  InterruptionHandler(Interruptions interruptions, Clock clock) {
    this.interruptions = interruptions;
    this.clock = clock;
  }

  @Override
  public Map<String, String> handleRequest(Map<String, Object> event, Context context) {
    dev.spotrunner.common.log.Log.request(context);
    Ec2Event parsed = Ec2Event.parse(Json.MAPPER.valueToTree(event), clock.instant());
    try {
      Interruptions.Outcome outcome = interruptions.handle(parsed);
      return Map.of("event", parsed.kind().name(), "outcome", outcome.name());
    } finally {
      dev.spotrunner.common.github.PointsMeter.flushStdout();
    }
  }
}
