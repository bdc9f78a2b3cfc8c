package dev.spotrunner.local.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.local.agent.InstanceEvent;
import dev.spotrunner.local.lambda.InvocationResult;
import dev.spotrunner.local.lambda.Invoker;
import dev.spotrunner.runners.interruption.Ec2Event;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class EventRulesTest {
  static final Instant AT = Instant.parse("2026-12-06T01:00:00Z");
  static final InstanceId INSTANCE = new InstanceId("i-0123456789abcdef0");
  // the patterns modules/interruptions applies
  static final String WARNING = """
      {"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}""";
  static final String TERMINATED = """
      {"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],
       "detail":{"state":["terminated"]}}""";

  static JsonNode json(String text) throws Exception {
    return Json.MAPPER.readTree(text);
  }

  @Test
  void aWarningMatchesTheWarningRuleOnlyAndReadsAsTheInterruptionFunctionReadsIt() throws Exception {
    JsonNode event = json(EventRules.ec2Event(
        new InstanceEvent(InstanceEvent.Kind.SPOT_INTERRUPTION_WARNING, INSTANCE, AT), "us-east-1"));

    assertThat(EventRules.matches(json(WARNING), event)).isTrue();
    assertThat(EventRules.matches(json(TERMINATED), event)).isFalse();
    Ec2Event parsed = Ec2Event.parse(event, Instant.EPOCH);
    assertThat(parsed.kind()).isEqualTo(Ec2Event.Kind.SPOT_WARNING);
    assertThat(parsed.instance()).isEqualTo(INSTANCE);
    assertThat(parsed.time()).isEqualTo(AT);
  }

  @Test
  void aTerminationMatchesTheTerminatedRuleAndIsATerminatedStateChange() throws Exception {
    JsonNode event = json(EventRules.ec2Event(new InstanceEvent(InstanceEvent.Kind.TERMINATED, INSTANCE, AT),
        "us-east-1"));

    assertThat(EventRules.matches(json(TERMINATED), event)).isTrue();
    assertThat(EventRules.matches(json(WARNING), event)).isFalse();
    assertThat(Ec2Event.parse(event, Instant.EPOCH).terminated()).isTrue();
  }

  @Test
  void aStateChangeToAnotherStateMatchesNoRule() throws Exception {
    JsonNode stopped = json("""
        {"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification",
         "detail":{"instance-id":"i-1","state":"stopped"}}""");

    assertThat(EventRules.matches(json(TERMINATED), stopped)).isFalse();
  }

  @Test
  void publishInvokesEveryMatchingRulesTargetWithTheEvent() throws Exception {
    List<String> invoked = new CopyOnWriteArrayList<>();
    Invoker function = event -> {
      invoked.add(event);
      return InvocationResult.success("r", "{}");
    };
    EventRules rules = new EventRules(List.of(new EventRules.Rule("warning", json(WARNING), "arn:f", function),
        new EventRules.Rule("terminated", json(TERMINATED), "arn:f", function)), "us-east-1");

    int matched = rules.publish(new InstanceEvent(InstanceEvent.Kind.TERMINATED, INSTANCE, AT));

    assertThat(matched).isEqualTo(1);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (rules.delivered() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(invoked).singleElement().satisfies(e -> assertThat(e).contains("\"state\":\"terminated\""));
  }
}
