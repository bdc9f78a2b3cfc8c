package dev.spotrunner.runners.launch;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spotrunner.common.json.Json;

/**
 * The JSON an instance's start script reads from SSM ({@code docs/runner-config.md}): either a JIT
 * config, or a registration token with the {@code config.sh} arguments. {@link #toString()} never
 * shows the secret.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunnerConfig(
    String mode,
    String runnerName,
    String jitConfig,
    String url,
    String token,
    String labels,
    String runnerGroup,
    Boolean ephemeral) {

  public static RunnerConfig jit(String runnerName, String encodedJitConfig) {
    return new RunnerConfig("jit", runnerName, encodedJitConfig, null, null, null, null, null);
  }

  public static RunnerConfig registration(String runnerName, String url, String token,
      String labels, String runnerGroup, boolean ephemeral) {
    return new RunnerConfig("registration", runnerName, null, url, token, labels, runnerGroup,
        ephemeral);
  }

  public String toJson() {
    return Json.write(this);
  }

  @Override
  public String toString() {
    return "RunnerConfig[mode=" + mode + ", runnerName=" + runnerName + "]";
  }
}
