package dev.spotrunner.syncer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The outcome of one sync: one result per configured platform, in configuration order. */
public record SyncSummary(List<PlatformResult> results) {
  public SyncSummary {
    results = List.copyOf(results);
  }

  public boolean failed() {
    return results.stream().anyMatch(PlatformResult::failed);
  }

  public long count(PlatformResult.Status status) {
    return results.stream().filter(r -> r.status() == status).count();
  }

  public PlatformResult of(RunnerPlatform platform) {
    return results.stream().filter(r -> r.platform().equals(platform)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no result for " + platform));
  }

  /** The failed platforms and their reasons, e.g. {@code win-x64: no asset …}. */
  public String failures() {
    return results.stream().filter(PlatformResult::failed)
        .map(r -> r.platform() + ": " + r.reason())
        .collect(Collectors.joining("; "));
  }

  /** The summary as the Lambda returns it (JSON object). */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("unchanged", count(PlatformResult.Status.UNCHANGED));
    map.put("updated", count(PlatformResult.Status.UPDATED));
    map.put("failed", count(PlatformResult.Status.FAILED));
    map.put("platforms", results.stream().map(PlatformResult::toMap).toList());
    return map;
  }
}
