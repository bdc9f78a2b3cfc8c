package dev.spotrunner.syncer;

import dev.spotrunner.common.artifacts.ArtifactStore;
import dev.spotrunner.common.artifacts.S3ArtifactStore;
import dev.spotrunner.common.aws.AwsClients;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The child side of the memory measurement: runs one sync of {@code linux-x64} against the release
 * server at {@code args[0]} into the store named by {@code args[1]} ({@code digest}, or {@code moto}
 * with the endpoint in {@code args[2]}; bucket {@value #BUCKET}), then prints one line
 * {@code MEMORY status=… bytes=… peak_heap_mib=… rss_hwm_mib=… max_heap_mib=… gc=…}. Started by
 * {@link SyncMemoryBenchmark} in a JVM with a small {@code -Xmx}; exits 1 when the sync failed.
 */
public final class SyncMemoryProbe {
  static final String BUCKET = "runner-cache";

  private SyncMemoryProbe() {}

  public static void main(String[] args) throws IOException {
    URI api = URI.create(args[0]);
    String storeKind = args.length > 1 ? args[1] : "digest";
    RunnerPlatform linux = RunnerPlatform.parse("linux-x64");
    SyncerSettings settings = new SyncerSettings("memory", BUCKET, "actions-runner/",
        List.of(linux), RunnerVersion.LATEST, api);
    ArtifactStore store = switch (storeKind) {
      case "digest" -> new DigestingStore();
      // args[2]: the S3 endpoint (moto); the bucket must exist
      // moto assembles 200 MiB in Python and, unlike S3, sends no keep-alive meanwhile: under load
      // CompleteMultipartUpload outlasts the Lambda's 20 s read timeout, so the probe waits longer.
      case "moto" -> new S3ArtifactStore(new AwsClients(new AwsClients.Config(Region.US_EAST_1,
          URI.create(args[2]), StaticCredentialsProvider.create(
              AwsBasicCredentials.create("testing", "testing")), true,
          AwsClients.DEFAULT_MAX_ATTEMPTS, Duration.ofSeconds(2), Duration.ofMinutes(3),
          Duration.ofSeconds(30))).s3());
      default -> throw new IllegalArgumentException("unknown store " + storeKind);
    };
    SyncSummary summary = new BinarySyncer(settings, new GitHubReleases(api), store).sync();
    PlatformResult result = summary.of(linux);
    System.out.println("MEMORY status=" + result.status() + " bytes=" + result.bytes()
        + " peak_heap_mib=" + mib(peakHeap())
        + " rss_hwm_mib=" + mib(rssHighWaterMark())
        + " max_heap_mib=" + mib(Runtime.getRuntime().maxMemory())
        + " gc=" + ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName).collect(Collectors.joining("+")).replace(' ', '_')
        + (result.failed() ? " reason=" + result.reason().replace(' ', '_') : ""));
    System.exit(result.failed() ? 1 : 0);
  }

  /** The sum of each heap pool's peak: an upper bound of the heap in use at any one time. */
  private static long peakHeap() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .map(MemoryPoolMXBean::getPeakUsage)
        .mapToLong(u -> u.getUsed())
        .sum();
  }

  /** The process's resident-set high-water mark (Linux {@code VmHWM}), or -1 elsewhere. */
  private static long rssHighWaterMark() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    return Files.readAllLines(status).stream()
        .filter(l -> l.startsWith("VmHWM:"))
        .map(l -> l.replaceAll("[^0-9]", ""))
        .mapToLong(kb -> Long.parseLong(kb) * 1024)
        .findFirst().orElse(-1);
  }

  private static long mib(long bytes) {
    return bytes < 0 ? -1 : bytes / (1024 * 1024);
  }
}
