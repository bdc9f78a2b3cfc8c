package dev.spotrunner.local.lambda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One Lambda function as the local stack runs it: its jar, handler string and environment (read
 * back from the function's configuration), timeout, memory size and reserved concurrency (read back
 * with GetFunctionConcurrency; null when the function has none and shares the account's pool).
 */
public record FunctionSpec(String name, String arn, Path jar, String handler,
    Map<String, String> environment, Duration timeout, int memoryMb, Integer reservedConcurrency) {
  public FunctionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jar, "jar");
    Objects.requireNonNull(handler, "handler");
    environment = Map.copyOf(environment);
    arn = arn == null ? "arn:aws:lambda:us-east-1:123456789012:function:" + name : arn;
    timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    memoryMb = memoryMb <= 0 ? 512 : memoryMb;
  }

  /** A function without reserved concurrency. */
  public FunctionSpec(String name, String arn, Path jar, String handler, Map<String, String> environment,
      Duration timeout, int memoryMb) {
    this(name, arn, jar, handler, environment, timeout, memoryMb, null);
  }

  /** The same function with another environment. */
  public FunctionSpec withEnvironment(Map<String, String> newEnvironment) {
    return new FunctionSpec(name, arn, jar, handler, newEnvironment, timeout, memoryMb, reservedConcurrency);
  }
}
