package dev.spotrunner.webhook.aws;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.common.queue.SqsJobQueue;
import dev.spotrunner.webhook.bench.LoopbackAws;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Map;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * SendMessage to the loopback SQS stub ({@link LoopbackAws}) through {@link LiteSqsJobQueue} or the
 * SDK's {@link SqsJobQueue}: the first call in a fresh JVM (client construction and class loading
 * included) and the warm latency of N calls. A benchmark, not a test; how to run it:
 * docs/webhook-aws.md.
 *
 * <p>Arguments: {@code lite|sdk [requests=10000] [warmup=5000]}.
 */
public final class LiteAwsBenchmark {
  private LiteAwsBenchmark() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "lite";
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
    try (LoopbackAws stub = new LoopbackAws()) {
      String queue = stub.endpoint() + "/000000000000/bench";
      Map<String, String> attributes = Map.of("jobId", "123456", "deliveryId", "0f3c2d1e-bench");
      String body = "{\"jobId\":123456,\"runId\":42,\"repository\":\"acme/api\",\"labels\":[\"self-hosted\",\"linux\"]}";

      long start = System.nanoTime();
      JobQueue jobs = switch (which) {
        case "lite" -> LiteAws.forEndpoint(stub.endpoint(), "us-east-1",
            CredentialSource.fixed(AwsCredentials.of("bench", "bench")), HttpSettings.DEFAULT, Clock.systemUTC())
            .queue();
        case "sdk" -> new SqsJobQueue(AwsClients.forEndpoint(stub.endpoint(), Region.US_EAST_1,
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench"))).sqs());
        default -> throw new IllegalArgumentException("lite or sdk, not " + which);
      };
      jobs.send(queue, body, 0, attributes);
      long first = System.nanoTime() - start;
      long loaded = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();

      for (int i = 0; i < warmup; i++) {
        jobs.send(queue, body, 0, attributes);
      }
      Histogram histogram = new Histogram(3);
      for (int i = 0; i < requests; i++) {
        long t = System.nanoTime();
        jobs.send(queue, body, 0, attributes);
        histogram.recordValue(System.nanoTime() - t);
      }
      System.out.printf("%s: first call %.1f ms (%d classes loaded by then); warm %d calls: mean %.3f ms, "
              + "p50 %.3f ms, p99 %.3f ms; JVM uptime %d ms%n",
          which, first / 1e6, loaded, requests, histogram.getMean() / 1e6,
          histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
          ManagementFactory.getRuntimeMXBean().getUptime());
    }
  }
}
