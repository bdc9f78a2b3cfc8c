package dev.spotrunner.syncer;

import dev.spotrunner.common.artifacts.ArtifactStore;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The child side of the memory measurement: runs one sync of {@code linux-x64} against the release
 * server at {@code args[0]} into the store named by {@code args[1]}, then prints one line
 * {@code MEMORY status=… bytes=… peak_heap_mib=… rss_hwm_mib=… max_heap_mib=… gc=…}. Started by
 * {@link SyncMemoryBenchmark} in a JVM with a small {@code -Xmx}; exits 1 when the sync failed.
 */
public final class SyncMemoryProbe {
  private SyncMemoryProbe() {}

  public static void main(String[] args) throws IOException {
    URI api = URI.create(args[0]);
    String storeKind = args.length > 1 ? args[1] : "digest";
    RunnerPlatform linux = RunnerPlatform.parse("linux-x64");
    SyncerSettings settings = new SyncerSettings("memory", "runner-cache", "actions-runner/",
        List.of(linux), RunnerVersion.LATEST, api);
    ArtifactStore store = switch (storeKind) {
      case "digest" -> new DigestingStore();
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
