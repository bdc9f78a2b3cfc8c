package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A 200 MiB runner package syncs in a JVM whose heap is 128 MiB: the syncer streams, never buffers. */
class SyncMemoryIT {
  private static final long ASSET_BYTES = 200L * 1024 * 1024;

  @Test
  void syncsA200MibAssetWithA128MibHeapIntoAStoreThatKeepsNothing() throws Exception {
    SyncMemoryBenchmark.Measurement measurement =
        SyncMemoryBenchmark.run(ASSET_BYTES, "-Xmx128m", "digest", List.of());

    System.out.println("[digest store] " + measurement.memoryLine());
    assertThat(measurement.exitCode()).as(String.join("\n", measurement.output())).isZero();
    assertThat(measurement.memoryLine()).contains("status=UPDATED", "bytes=" + ASSET_BYTES);
  }
}
