package dev.spotrunner.runners.interruption;

import static dev.spotrunner.runners.interruption.World.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spotrunner.common.json.Json;
import dev.spotrunner.runners.interruption.World.Runner;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EventBridge's JSON, as the rules deliver it, through the handler. */
class InterruptionHandlerTest {
  private final World world = new World();

  static String warning(String instanceId) {
    return """
        {"version":"0","id":"1e5527d7-bb36-4607-3370-4164db56a40e",
         "detail-type":"EC2 Spot Instance Interruption Warning","source":"aws.ec2",
         "account":"123456789012","time":"2026-12-05T10:00:00Z","region":"eu-west-1",
         "resources":["arn:aws:ec2:eu-west-1b:instance/%s"],
         "detail":{"instance-id":"%s","instance-action":"terminate"}}""".formatted(instanceId,
        instanceId);
  }

  private Map<String, String> handle(String json) {
    @SuppressWarnings("unchecked")
    Map<String, Object> event = Json.read(json, Map.class);
    return new InterruptionHandler(world.interruptions(), world.clock).handleRequest(event, null);
  }

  @Test
  void aSpotWarningForAnIdleRunnerDeregistersIt() {
    Runner idle = world.runner(false);
    assertEquals(Map.of("event", "SPOT_WARNING", "outcome", "IDLE_DEREGISTERED"),
        handle(warning(idle.instance().value())));
    assertFalse(world.registered(idle.runner()));
  }

  @Test
  void readsTerminationsRebalancesAndTheSchedule() {
    Runner runner = world.runner(false);
    String id = runner.instance().value();
    assertEquals("GHOST_REMOVED", handle("""
        {"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2",
         "time":"2026-12-05T10:02:00Z","detail":{"instance-id":"%s","state":"terminated"}}"""
        .formatted(id)).get("outcome"));
    assertEquals("REBALANCE", handle("""
        {"detail-type":"EC2 Instance Rebalance Recommendation","source":"aws.ec2",
         "time":"2026-12-05T10:02:00Z","detail":{"instance-id":"i-0000000000000beef"}}""")
        .get("event"));
    assertEquals(Map.of("event", "SCHEDULE", "outcome", "FOLLOWED_UP"), handle("""
        {"detail-type":"Scheduled Event","source":"aws.events","time":"2026-12-05T10:02:00Z",
         "detail":{}}"""));
    assertEquals("IGNORED", handle("{\"detail-type\":\"AWS API Call via CloudTrail\"}")
        .get("outcome"));
  }

  @Test
  void anInstanceEventWithoutAnInstanceIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> handle("""
        {"detail-type":"EC2 Spot Instance Interruption Warning","detail":{}}"""));
  }

  @Test
  void anEventWithoutATimeIsDatedNow() {
    Ec2Event event = Ec2Event.parse(Json.MAPPER.createObjectNode()
        .put("detail-type", "Scheduled Event"), NOW);
    assertEquals(NOW, event.time());
  }
}
