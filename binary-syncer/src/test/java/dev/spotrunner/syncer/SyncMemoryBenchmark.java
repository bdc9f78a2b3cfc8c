package dev.spotrunner.syncer;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.ReleaseAsset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures what a sync of a large runner package needs: the GitHub stand-in in this JVM publishes a
 * generated {@code linux-x64} asset of {@code args[0]} MiB (default 200), and {@link SyncMemoryProbe}
 * syncs it in a child JVM limited by {@code args[1]} (default {@code -Xmx128m}) into the store
 * {@code args[2]}: {@code moto} (default; S3 on a moto_server this JVM starts) or {@code digest}
 * (keeps only size and digest); {@code args[3]}, when given, is an S3 endpoint already running
 * (moto, LocalStack) to use instead. Prints the child's {@code MEMORY …} line; see
 * {@code docs/binary-syncer.md} for how to run it.
 */
public final class SyncMemoryBenchmark {
  /** What the child reported, its exit code and everything it printed. */
  public record Measurement(int exitCode, String memoryLine, List<String> output) {}

  static final long SEED = 7;

  private SyncMemoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    long mib = args.length > 0 ? Long.parseLong(args[0]) : 200;
    String xmx = args.length > 1 ? args[1] : "-Xmx128m";
    String store = args.length > 2 ? args[2] : "moto";
    URI endpoint = args.length > 3 ? URI.create(args[3]) : null;
    Measurement measurement = run(mib * 1024 * 1024, xmx, store, endpoint);
    System.out.println(measurement.memoryLine() == null
        ? "no MEMORY line; child output:\n" + String.join("\n", measurement.output())
        : measurement.memoryLine());
    System.exit(measurement.exitCode());
  }

  static Measurement run(long bytes, String xmx, String store)
      throws IOException, InterruptedException {
    return run(bytes, xmx, store, null);
  }

  /**
   * Publishes the asset, runs the child, waits for it; for {@code moto} the bucket is created on
   * {@code s3Endpoint}, or on this JVM's moto_server when that is null.
   */
  static Measurement run(long bytes, String xmx, String store, URI s3Endpoint)
      throws IOException, InterruptedException {
    try (GitHubStandIn github = GitHubStandIn.start()) {
      github.publishRelease("2.330.0", List.of(ReleaseAsset.of("linux-x64", "2.330.0", bytes,
          ReleaseAsset.generated(bytes, SEED))));
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), xmx,
          "-cp", System.getProperty("java.class.path"),
          SyncMemoryProbe.class.getName(), github.apiUrl().toString(), store));
      if (store.equals("moto")) {
        URI endpoint = s3Endpoint == null ? AwsEmulatorExtension.endpoint() : s3Endpoint;
        try (AwsClients aws = AwsEmulatorExtension.clients(endpoint, 3)) {
          aws.s3().createBucket(b -> b.bucket(SyncMemoryProbe.BUCKET));
        }
        command.add(endpoint.toString());
      }
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
