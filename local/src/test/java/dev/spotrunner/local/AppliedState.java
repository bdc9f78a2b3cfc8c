package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What Terraform applied, from {@code terraform show -json}: the resources of every module, found by
 * type and values, and Lambda's concurrency rule applied to them (the contract test's expectations).
 *
 * @param unreservedConcurrency the local stack's cap for a function without reserved concurrency
 */
record AppliedState(List<JsonNode> resources, int unreservedConcurrency) {
  AppliedState(JsonNode state, int unreservedConcurrency) {
    this(collect(state.path("values").path("root_module"), new ArrayList<>()), unreservedConcurrency);
  }

  static List<JsonNode> collect(JsonNode module, List<JsonNode> into) {
    module.path("resources").forEach(into::add);
    module.path("child_modules").forEach(child -> collect(child, into));
    return into;
  }

  /** The values of the one resource of this type whose values match. */
  JsonNode one(String type, Predicate<JsonNode> values) {
    List<JsonNode> found = resources.stream().filter(r -> r.path("type").asText().equals(type))
        .map(r -> r.path("values")).filter(values).toList();
    assertThat(found).as(type).hasSize(1);
    return found.getFirst();
  }

  JsonNode function(String name) {
    return one("aws_lambda_function", v -> v.path("function_name").asText().equals(name));
  }

  /** The schedule expression of the rule whose target is the function. */
  String scheduleOf(JsonNode function) {
    String rule = one("aws_cloudwatch_event_target",
        v -> v.path("arn").asText().equals(function.path("arn").asText())).path("rule").asText();
    return one("aws_cloudwatch_event_rule", v -> v.path("name").asText().equals(rule))
        .path("schedule_expression").asText();
  }

  /** Lambda's limit: reserved concurrency (-1 = none) and the mapping's maximum, the lower; else the local cap. */
  int concurrency(JsonNode function, Integer mappingMaximum) {
    int reserved = function.path("reserved_concurrent_executions").asInt(-1);
    if (reserved >= 0) {
      return mappingMaximum == null ? reserved : Math.min(reserved, mappingMaximum);
    }
    return mappingMaximum == null ? unreservedConcurrency : mappingMaximum;
  }
}
