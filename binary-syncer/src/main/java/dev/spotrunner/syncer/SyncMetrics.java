package dev.spotrunner.syncer;

import dev.spotrunner.common.metrics.Metrics;
import dev.spotrunner.common.metrics.Unit;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * One sync's result as EMF, one document per run, zeros included (a missing point is a run that did
 * not happen, not a quiet one): namespace {@value #NAMESPACE}, dimension {@code function=binary-syncer};
 * {@code BinariesUpdated}, {@code BinariesUnchanged}, {@code BinariesFailed} (platforms, Count) and
 * {@code BinaryBytesUploaded} (Bytes).
 */
public final class SyncMetrics {
  public static final String NAMESPACE = "spotrunner";

  private SyncMetrics() {}

  public static void write(SyncSummary summary, Clock clock, Consumer<String> sink) {
    new Metrics(NAMESPACE, clock, sink).dimension("function", "binary-syncer")
        .count("BinariesUpdated", summary.count(PlatformResult.Status.UPDATED))
        .count("BinariesUnchanged", summary.count(PlatformResult.Status.UNCHANGED))
        .count("BinariesFailed", summary.count(PlatformResult.Status.FAILED))
        .value("BinaryBytesUploaded", summary.results().stream().mapToLong(PlatformResult::bytes).sum(), Unit.BYTES)
        .flush();
  }
}
