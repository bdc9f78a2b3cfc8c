package dev.spotrunner.local.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Secret;
import java.util.Arrays;
import java.util.List;

/**
 * The runner config scale-up stores in SSM for one instance ({@code docs/runner-config.md}): a JIT
 * config, or a registration token with the runner's name, labels, group and ephemeral flag.
 */
public record RunnerConfig(String mode, String runnerName, Secret jitConfig, String url, Secret token,
    List<String> labels, String runnerGroup, boolean ephemeral) {

  public boolean jit() {
    return "jit".equals(mode);
  }

  /** Parses the parameter value; anything the start script could not use is an error naming the field. */
  public static RunnerConfig parse(String value) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(value);
    } catch (Exception e) {
      throw new IllegalArgumentException("runner config is not JSON");
    }
    String mode = text(node, "mode");
    String name = text(node, "runnerName");
    if ("jit".equals(mode)) {
      return new RunnerConfig(mode, name, new Secret(text(node, "jitConfig")), null, null, List.of(),
          null, true);
    }
    if ("registration".equals(mode)) {
      List<String> labels = Arrays.stream(text(node, "labels").split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).toList();
      return new RunnerConfig(mode, name, null, text(node, "url"), new Secret(text(node, "token")),
          labels, node.path("runnerGroup").asText("Default"), node.path("ephemeral").asBoolean(true));
    }
    throw new IllegalArgumentException("runner config mode must be jit or registration, got '" + mode + "'");
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.asText().isBlank()) {
      throw new IllegalArgumentException("runner config lacks " + field);
    }
    return value.asText();
  }
}
