package dev.spotrunner.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.local.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.ec2.model.Instance;

/** What the local stack's end-to-end tests wait for and look at. */
final class StackChecks {
  private StackChecks() {}

  /** Polls until the condition holds; fails naming {@code what} after {@code limit}. */
  static void eventually(Duration limit, String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** A function's JSON log lines (its stdout, as CloudWatch Logs would get it), EMF documents included. */
  static List<JsonNode> functionLog(LocalStack stack, String function) {
    Path file = stack.options().workDir().resolve("logs").resolve(function + ".log");
    List<JsonNode> lines = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("{")) {
          lines.add(Json.MAPPER.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  /** The job's status at the GitHub stand-in. */
  static String status(LocalStack stack, long jobId) {
    return stack.github().job(jobId).orElseThrow().status();
  }

  /** Every instance ever launched for a job, terminated ones included, oldest first. */
  static List<Instance> instancesForJob(LocalStack stack, long jobId) {
    return stack.aws().ec2.describeInstancesPaginator(r -> r.filters(
            f -> f.name("tag:spotrunner:job-id").values(Long.toString(jobId))))
        .reservations().stream().flatMap(r -> r.instances().stream())
        .sorted(Comparator.comparing(Instance::launchTime)).toList();
  }
}
