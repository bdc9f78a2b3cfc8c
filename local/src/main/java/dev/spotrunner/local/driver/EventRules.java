package dev.spotrunner.local.driver;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.lambda.Invoker;
import dev.spotrunner.local.agent.InstanceEvent;
import dev.spotrunner.local.lambda.InvocationResult;
import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;

/**
 * EventBridge's default bus for the events AWS services put on it: the rules Terraform applied with
 * an event pattern (ListRules {@code EventPattern}, ListTargetsByRule), each event matched against
 * every pattern and handed to the matching rules' function targets asynchronously, as EventBridge
 * invokes Lambda. Patterns use exact-value arrays and nested objects, the forms our modules write;
 * any other pattern form is refused when the rules are read. A failed invocation is logged and
 * counted, not retried.
 */
public final class EventRules {
  private static final Log log = Log.of(EventRules.class);
  private static final String ACCOUNT = "123456789012";

  /** One rule with an event pattern and the function it targets. */
  public record Rule(String name, JsonNode pattern, String targetArn, Invoker target) {}

  private final List<Rule> rules;
  private final String region;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  public EventRules(List<Rule> rules, String region) {
    this.rules = List.copyOf(rules);
    this.region = region;
  }

  /**
   * Reads every pattern rule whose target is one of the functions.
   *
   * @param functionOfArn the local function a target ARN (maybe a version or alias ARN) names
   */
  public static EventRules read(EventBridgeClient events, Function<String, Optional<Invoker>> functionOfArn,
      String region) {
    List<Rule> rules = new ArrayList<>();
    String token = null;
    do {
      String page = token;
      var listed = events.listRules(r -> r.nextToken(page));
      for (var rule : listed.rules()) {
        if (rule.eventPattern() == null || rule.eventPattern().isBlank()) {
          continue;
        }
        JsonNode pattern = parse(rule.eventPattern());
        checkSupported(rule.name(), pattern);
        for (var target : events.listTargetsByRule(r -> r.rule(rule.name())).targets()) {
          functionOfArn.apply(target.arn()).ifPresent(function ->
              rules.add(new Rule(rule.name(), pattern, target.arn(), function)));
        }
      }
      token = listed.nextToken();
    } while (token != null && !token.isEmpty());
    return new EventRules(rules, region);
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Puts one event on the bus: every matching rule's target is invoked with it, in the background. */
  public int publish(String event) {
    JsonNode parsed = parse(event);
    int matched = 0;
    for (Rule rule : rules) {
      if (matches(rule.pattern(), parsed)) {
        matched++;
        Thread.ofVirtual().name("event-" + rule.name()).start(() -> deliver(rule, event));
      }
    }
    return matched;
  }

  /** EC2's event about a simulated machine, as EC2 puts it on the default bus. */
  public int publish(InstanceEvent event) {
    return publish(ec2Event(event, region));
  }

  private void deliver(Rule rule, String event) {
    InvocationResult result = rule.target().invoke(event);
    delivered.incrementAndGet();
    if (result.failed()) {
      failures.incrementAndGet();
      log.warn("event invocation failed", entry("rule", rule.name()), entry("error_type", result.errorType()));
    }
  }

  /** Invocations answered so far. */
  public long delivered() {
    return delivered.get();
  }

  public long failures() {
    return failures.get();
  }

  /**
   * EventBridge's matching for the pattern forms we use: every field of the pattern must be in the
   * event; an array lists the values allowed, an object is matched against the event's object.
   */
  static boolean matches(JsonNode pattern, JsonNode event) {
    for (Iterator<Map.Entry<String, JsonNode>> it = pattern.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode value = event.path(field.getKey());
      JsonNode wanted = field.getValue();
      if (wanted.isObject()) {
        if (!value.isObject() || !matches(wanted, value)) {
          return false;
        }
      } else {
        boolean any = false;
        for (JsonNode allowed : wanted) {
          any |= value.isValueNode() && allowed.equals(value);
        }
        if (!any) {
          return false;
        }
      }
    }
    return true;
  }

  private static void checkSupported(String rule, JsonNode pattern) {
    pattern.fields().forEachRemaining(field -> {
      JsonNode wanted = field.getValue();
      if (wanted.isObject()) {
        checkSupported(rule, wanted);
      } else if (!wanted.isArray()) {
        throw new IllegalStateException("rule " + rule + ": pattern field " + field.getKey() + " is not an array");
      } else {
        wanted.forEach(v -> {
          if (!v.isValueNode()) {
            throw new IllegalStateException("rule " + rule + ": content filter in " + field.getKey()
                + " is not supported by the local stack");
          }
        });
      }
    });
  }

  /** {@code EC2 Spot Instance Interruption Warning} or a state change to {@code terminated}. */
  static String ec2Event(InstanceEvent event, String region) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("version", "0");
    json.put("id", UUID.randomUUID().toString());
    json.put("detail-type", switch (event.kind()) {
      case SPOT_INTERRUPTION_WARNING -> "EC2 Spot Instance Interruption Warning";
      case TERMINATED -> "EC2 Instance State-change Notification";
    });
    json.put("source", "aws.ec2");
    json.put("account", ACCOUNT);
    json.put("time", DateTimeFormatter.ISO_INSTANT.format(event.time().truncatedTo(ChronoUnit.SECONDS)));
    json.put("region", region);
    json.putArray("resources").add("arn:aws:ec2:" + region + ":" + ACCOUNT + ":instance/" + event.instance().value());
    ObjectNode detail = json.putObject("detail");
    detail.put("instance-id", event.instance().value());
    switch (event.kind()) {
      case SPOT_INTERRUPTION_WARNING -> detail.put("instance-action", "terminate");
      case TERMINATED -> detail.put("state", "terminated");
    }
    return Json.write(json);
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
  }
}
