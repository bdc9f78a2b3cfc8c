package dev.spotrunner.local.lambda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One Lambda function as the local stack runs it: its jar, handler string and environment (read
 * back from the function's configuration), timeout and memory size.
 */
public record FunctionSpec(String name, String arn, Path jar, String handler,
    Map<String, String> environment, Duration timeout, int memoryMb) {
  public FunctionSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jar, "jar");
    Objects.requireNonNull(handler, "handler");
    environment = Map.copyOf(environment);
    arn = arn == null ? "arn:aws:lambda:us-east-1:123456789012:function:" + name : arn;
    timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    memoryMb = memoryMb <= 0 ? 512 : memoryMb;
  }
}
