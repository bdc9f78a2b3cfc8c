package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.testkit.aws.MotoServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.model.Subnet;

/**
 * What SnapStart priming buys scale-up: in a new JVM from the Lambda's jar, the time of the first
 * real AWS round (DescribeInstances, CreateFleet, CreateTags, SSM PutParameter against moto) with and
 * without {@link Priming} run first — as a snapshot taken after priming would start. Median of N
 * JVMs each. Run (after {@code ./mvnw -B -q -pl runners -am package -DskipTests}):
 * <pre>
 * java -cp "runners/target/spotrunner-runners.jar:runners/target/test-classes:$(cat runners/target/bench.classpath)" \
 *   dev.spotrunner.runners.scaleup.PrimingBenchmark
 * </pre>
 */
public final class PrimingBenchmark {
  private PrimingBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      child(URI.create(args[1]), args[2], args[3], Boolean.parseBoolean(args[4]));
      return;
    }
    int runs = Integer.getInteger("bench.runs", 5);
    String classpath = System.getProperty("bench.childClasspath",
        "runners/target/spotrunner-runners.jar" + java.io.File.pathSeparator + "runners/target/test-classes");
    try (MotoServer moto = MotoServer.start()) {
      AwsClients aws = AwsClients.forEndpoint(moto.endpoint(), Region.US_EAST_1,
          StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
      String ami = aws.ec2().describeImages(r -> r.owners("amazon")).images().get(0).imageId();
      aws.ec2().createLaunchTemplate(r -> r.launchTemplateName("bench")
          .launchTemplateData(d -> d.imageId(ami).instanceType("m5.large")));
      String subnet = aws.ec2().describeSubnets().subnets().stream().map(Subnet::subnetId)
          .findFirst().orElseThrow();
      for (boolean primed : new boolean[] {false, true}) {
        List<Double> firstRound = new ArrayList<>();
        List<Double> priming = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
          Map<String, Double> result = run(classpath, moto.endpoint(), subnet, primed);
          firstRound.add(result.get("first_round_ms"));
          priming.add(result.get("priming_ms"));
        }
        System.out.printf("%s: first AWS round median %.0f ms (min %.0f, max %.0f)%s%n",
            primed ? "primed  " : "unprimed", median(firstRound), min(firstRound), max(firstRound),
            primed ? String.format(", priming itself median %.0f ms (before the snapshot)", median(priming)) : "");
      }
      aws.close();
    }
  }

  private static Map<String, Double> run(String classpath, URI moto, String subnet, boolean primed)
      throws Exception {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", classpath, PrimingBenchmark.class.getName(), "child",
        moto.toString(), "bench", subnet, Boolean.toString(primed));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, Double> result = new java.util.HashMap<>();
    List<String> output = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("BENCH ")) {
          for (String pair : line.substring(6).split(" ")) {
            String[] kv = pair.split("=", 2);
            result.put(kv[0], Double.parseDouble(kv[1]));
          }
        } else if (output.size() < 30) {
          output.add(line);
        }
      }
    }
    if (process.waitFor() != 0 || result.isEmpty()) {
      throw new IllegalStateException("bench JVM failed: " + String.join("\n", output));
    }
    return result;
  }

  private static void child(URI moto, String template, String subnet, boolean primed) {
    Log.setLevel(Log.Level.WARN);
    long start = System.nanoTime();
    if (primed) {
      Priming.run(Priming.ROUNDS);
    }
    long primedAt = System.nanoTime();
    AwsClients aws = AwsClients.forEndpoint(moto, Region.US_EAST_1,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
    Ec2RunnerFleet fleet = new Ec2RunnerFleet(aws.ec2());
    SsmParameters parameters = new SsmParameters(aws.ssm(), Clock.systemUTC());
    long begin = System.nanoTime();
    Map<String, String> tags = Map.of("spotrunner:pool", "bench-" + System.nanoTime());
    fleet.list(tags);
    List<InstanceId> launched = fleet.launch(new LaunchSpec(template, List.of("m5.large"),
        List.of(subnet), 1, CapacityType.SPOT, "price-capacity-optimized", null, tags, null)).launched();
    fleet.tag(launched.get(0), Map.of("spotrunner:job-id", "1"));
    parameters.putSecure("/bench/runners/" + launched.get(0).value(), "{\"mode\":\"jit\"}");
    long end = System.nanoTime();
    fleet.terminate(launched);
    System.out.printf(java.util.Locale.ROOT, "BENCH first_round_ms=%.1f priming_ms=%.1f%n",
        (end - begin) / 1e6, (primedAt - start) / 1e6);
    System.exit(0);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }
}
