package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.common.log.Log.entry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.redrive.Redrive;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scale-down Lambda, invoked by an EventBridge schedule. The event carries nothing scale-down
 * needs, so it arrives as a plain map (or a {@link ScheduledEvent} when called from Java); the
 * answer is the cycle's counts by metric name.
 */
public final class ScaleDownHandler implements RequestHandler<Map<String, Object>, Map<String, Integer>> {
  private static final Log log = Log.of(ScaleDownHandler.class);

  private final ScaleDown scaleDown;
  private final Redrive redrive;

  public ScaleDownHandler() {
    this(ScaleDownWiring.fromEnv(System.getenv()));
  }

  private ScaleDownHandler(ScaleDownWiring.Wired wired) {
    this(wired.scaleDown(), wired.redrive());
  }

  ScaleDownHandler(ScaleDown scaleDown) {
    this(scaleDown, null);
  }

  /** {@code redrive} runs after each cycle (null: none). */
  ScaleDownHandler(ScaleDown scaleDown, Redrive redrive) {
    this.scaleDown = scaleDown;
    this.redrive = redrive;
  }

  @Override
  public Map<String, Integer> handleRequest(Map<String, Object> event, Context context) {
    Log.request(context);
    Object id = event == null ? null : event.get("id");
    try {
      return cycle(id == null ? null : String.valueOf(id));
    } finally {
      dev.spotrunner.common.github.PointsMeter.flushStdout();
    }
  }

  /** The same cycle for callers holding the typed event. */
  public Map<String, Integer> handle(ScheduledEvent event) {
    return cycle(event == null ? null : event.getId());
  }

  private Map<String, Integer> cycle(String eventId) {
    log.debug("scale-down cycle starting", entry("event_id", eventId));
    CycleReport report = scaleDown.run();
    if (redrive != null) {
      redrive.run();
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (CycleReport.Count count : CycleReport.Count.values()) {
      counts.put(count.metric(), report.get(count));
    }
    return counts;
  }
}
