package dev.spotrunner.local;

import dev.spotrunner.local.stack.LocalStack;
import java.time.Duration;
import java.time.Instant;
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
