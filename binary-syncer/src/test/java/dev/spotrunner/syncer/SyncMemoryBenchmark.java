package dev.spotrunner.syncer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Measures what a sync of a large runner package needs: serves a generated asset of
 * {@code args[0]} MiB (default 200) from a loopback release server in this JVM and runs
 * {@link SyncMemoryProbe} in a child JVM limited to {@code args[1]} (default {@code -Xmx128m}),
 * with the store named by {@code args[2]} ({@code digest}, default). Prints the child's
 * {@code MEMORY …} line. How to run it: see {@code docs/binary-syncer.md}.
 */
public final class SyncMemoryBenchmark {
  /** What the child reported, and its exit code. */
  public record Measurement(int exitCode, String memoryLine, List<String> output) {}

  private SyncMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 200;
    String xmx = args.length > 1 ? args[1] : "-Xmx128m";
    String store = args.length > 2 ? args[2] : "digest";
    Measurement measurement = run(mib * 1024 * 1024, xmx, store, List.of());
    System.out.println(measurement.memoryLine() == null
        ? "no MEMORY line; child output:\n" + String.join("\n", measurement.output())
        : measurement.memoryLine());
    System.exit(measurement.exitCode());
  }

  /** Serves the asset, runs the child with {@code extraArgs} after the store name, waits for it. */
  static Measurement run(long bytes, String xmx, String store, List<String> extraArgs)
      throws IOException, InterruptedException {
    try (ReleaseServer github = ReleaseServer.start()) {
      github.publish("2.330.0", Map.of(RunnerPlatform.parse("linux-x64"),
          AssetContent.generated(7, bytes)));
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), xmx,
          "-cp", System.getProperty("java.class.path"),
          SyncMemoryProbe.class.getName(), github.apiUrl().toString(), store));
      command.addAll(extraArgs);
      Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
      List<String> output = new ArrayList<>();
      String memoryLine = null;
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.add(line);
          if (line.startsWith("MEMORY ")) {
            memoryLine = line;
          }
        }
      }
      if (!child.waitFor(10, TimeUnit.MINUTES)) {
        child.destroyForcibly();
        throw new IllegalStateException("the sync child did not finish in 10 minutes");
      }
      return new Measurement(child.exitValue(), memoryLine, output);
    }
  }
}
