package dev.spotrunner.runners.scaledown;

import static dev.spotrunner.runners.scaledown.Fixture.ACME;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleDownHandlerTest {

  @Test
  void runsOneCycleForARawScheduledEventMap() {
    Fixture f = new Fixture();
    f.idleRunner(ACME, 30);
    ScaleDownHandler handler = new ScaleDownHandler(f.scaleDown());

    Map<String, Integer> counts = handler.handleRequest(Map.of(
        "id", "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c",
        "detail-type", "Scheduled Event", "source", "aws.events", "detail", Map.of()), null);

    assertEquals(1, counts.get("IdleTerminated"));
    assertEquals(0, counts.get("Errors"));
  }

  @Test
  void runsOneCycleForATypedScheduledEvent() {
    Fixture f = new Fixture();
    f.idleRunner(ACME, 30);
    f.idleRunner(ACME, 30);
    ScaleDownHandler handler = new ScaleDownHandler(f.scaleDown());

    Map<String, Integer> counts = handler.handle(new ScheduledEvent().withId("e-1"));

    assertEquals(2, counts.get("IdleTerminated"));
  }
}
