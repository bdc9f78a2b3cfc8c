package dev.spotrunner.webhook.bench;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.common.queue.SqsJobQueue;
import dev.spotrunner.webhook.BenchAccess;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SendMessage to the loopback SQS stub ({@link LoopbackAws}) through the webhook's SQS adapter on
 * one SDK HTTP client, in a fresh JVM: the first call (client construction and class loading
 * included) and N warm calls (wall and calling-thread CPU time, HdrHistogram). A benchmark, not a
 * test; run one JVM per client (webhook/README.md):
 *
 * <ul>
 *   <li>{@code urlconnection}: what the webhook ships (MD5 check off);
 *   <li>{@code urlconnection-md5}: the same with the SQS client's MD5 check on (the SDK's default);
 *   <li>{@code crt}: the AWS CRT HTTP client (MD5 check off).
 * </ul>
 *
 * <p>Arguments: {@code urlconnection|urlconnection-md5|crt [requests=10000] [warmup=5000]}.
 */
public final class HttpClientBenchmark {
  private HttpClientBenchmark() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "urlconnection";
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5_000;
    try (LoopbackAws stub = new LoopbackAws()) {
      String queue = stub.endpoint() + "/000000000000/bench";
      Map<String, String> attributes = Map.of("jobId", "123456", "deliveryId", "0f3c2d1e-bench");
      String body = "{\"jobId\":123456,\"runId\":42,\"repository\":\"acme/api\","
          + "\"labels\":[\"self-hosted\",\"linux\"]}";
      AwsClients.Config config = new AwsClients.Config(Region.US_EAST_1, stub.endpoint(),
          StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")), true,
          AwsClients.DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(2), Duration.ofSeconds(5),
          Duration.ofSeconds(8));

      long start = System.nanoTime();
      JobQueue jobs = switch (which) {
        case "urlconnection" -> BenchAccess.queue(config, UrlConnectionHttpClient.builder()
            .connectionTimeout(config.connectTimeout()).socketTimeout(config.readTimeout()).build());
        case "crt" -> BenchAccess.queue(config, AwsCrtHttpClient.builder()
            .connectionTimeout(config.connectTimeout()).build());
        case "urlconnection-md5" -> {
          AwsClients clients = new AwsClients(config);
          yield new SqsJobQueue(clients.configure(SqsClient.builder()).build());
        }
        default -> throw new IllegalArgumentException("urlconnection, urlconnection-md5 or crt: " + which);
      };
      jobs.send(queue, body, 0, attributes);
      long first = System.nanoTime() - start;
      int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();

      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      Histogram wall = new Histogram(3_600_000_000_000L, 3);
      Histogram cpu = new Histogram(3_600_000_000_000L, 3);
      for (int i = 0; i < warmup + requests; i++) {
        long cpuStart = threads.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        jobs.send(queue, body, 0, attributes);
        long took = System.nanoTime() - t;
        long cpuTook = threads.getCurrentThreadCpuTime() - cpuStart;
        if (i >= warmup) {
          wall.recordValue(took);
          cpu.recordValue(Math.max(1, cpuTook));
        }
      }
      System.out.printf("%s: first call %.1f ms (%d classes loaded); warm over %d calls: mean %.3f ms,"
              + " p50 %.3f ms, p99 %.3f ms; CPU per call p50 %.3f ms, p99 %.3f ms%n", which,
          first / 1e6, classes, requests, wall.getMean() / 1e6,
          wall.getValueAtPercentile(50) / 1e6, wall.getValueAtPercentile(99) / 1e6,
          cpu.getValueAtPercentile(50) / 1e6, cpu.getValueAtPercentile(99) / 1e6);
    }
    System.exit(0); // the CRT's native event loop threads would keep the JVM alive
  }
}
