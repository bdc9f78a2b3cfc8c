package dev.spotrunner.webhook.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.jar.JarFile;

/**
 * Cold start (new JVM from the shaded jar → first response; median of N runs, default flags and
 * {@code -XX:TieredStopAtLevel=1}) and warm latency (mean, p50, p99 over 10,000 requests) of the
 * webhook, sending to a loopback SQS/SSM stub that answers at once. How to run: webhook/README.md.
 */
public final class WebhookBenchmark {
  static final List<String> FORBIDDEN = List.of("org/kohsuke/", "io/jsonwebtoken/",
      "software/amazon/awssdk/", "com/fasterxml/jackson/databind/");

  private WebhookBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 10);
    int requests = Integer.getInteger("bench.requests", 10_000);
    int warmup = Integer.getInteger("bench.warmup", 5_000);
    Path jar = Path.of(System.getProperty("bench.jar", "webhook/target/spotrunner-webhook.jar"));
    Path testClasses = Path.of(System.getProperty("bench.testClasses", "webhook/target/test-classes"));
    String extra = System.getProperty("bench.classpath", "");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " not found: build it with ./mvnw -pl webhook -am package");
    }
    checkJar(jar);

    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    try (LoopbackAws aws = new LoopbackAws().withParameter("/bench/webhook-secret", secret)) {
      Map<String, String> env = environment(aws, secret);
      // Cold runs see only the Lambda's jar and the bench classes: whatever the handler needs must
      // be in the jar. The warm run adds HdrHistogram.
      String coldClasspath = jar + java.io.File.pathSeparator + testClasses;
      String classpath = coldClasspath + (extra.isEmpty() ? "" : java.io.File.pathSeparator + extra);
      for (List<String> flags : List.of(List.<String>of(), List.of("-XX:TieredStopAtLevel=1"))) {
        List<Double> totals = new ArrayList<>();
        List<String> phases = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
          Map<String, String> result = child(coldClasspath, flags, env, List.of("cold"));
          totals.add(Double.parseDouble(result.get("wall_ms")));
          phases.add(result.toString());
        }
        List<Double> sorted = totals.stream().sorted().toList();
        System.out.printf("cold start %s: median %.0f ms (min %.0f, max %.0f, %d runs)%n",
            flags.isEmpty() ? "default flags" : String.join(" ", flags), median(sorted),
            sorted.getFirst(), sorted.getLast(), runs);
        System.out.println("  last run phases: " + phases.getLast());
      }
      Map<String, Map<String, String>> warm = new LinkedHashMap<>();
      child(classpath, List.of(), env, List.of("warm", String.valueOf(requests), String.valueOf(warmup)),
          line -> warm.put(line.get("mode"), line));
      for (String mode : List.of("warm_no_sqs", "warm")) {
        Map<String, String> w = warm.get(mode);
        System.out.printf("%s over %s requests (after %s warm-up): mean %s ms, p50 %s ms,"
                + " p99 %s ms, p99.9 %s ms, max %s ms%n",
            mode.equals("warm") ? "warm latency, SQS at the loopback stub"
                : "warm latency, in-memory queue (webhook alone)",
            w.get("requests"), w.get("warmup"), w.get("mean_ms"), w.get("p50_ms"), w.get("p99_ms"),
            w.get("p999_ms"), w.get("max_ms"));
      }
      System.out.println("messages the stub received: " + aws.messagesSent());
    }
  }

  private static Map<String, String> environment(LoopbackAws aws, String secret) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ENVIRONMENT", "bench");
    env.put("WEBHOOK_SECRET_PARAMS", "/bench/webhook-secret");
    env.put("POOLS", "[{\"name\":\"linux\",\"labels\":[\"self-hosted\",\"linux\",\"x64\"],"
        + "\"queueUrl\":\"" + aws.endpoint() + "/123456789012/bench-linux\",\"delaySeconds\":0}]");
    env.put("AWS_REGION", "eu-west-1");
    env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", "bench");
    env.put("AWS_SECRET_ACCESS_KEY", "bench");
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("BENCH_SECRET", secret);
    return env;
  }

  /** Runs BenchChild in a new JVM; returns the key=value pairs of its last BENCH line. */
  private static Map<String, String> child(String classpath, List<String> flags,
      Map<String, String> env, List<String> args) throws IOException, InterruptedException {
    return child(classpath, flags, env, args, line -> { });
  }

  private static Map<String, String> child(String classpath, List<String> flags,
      Map<String, String> env, List<String> args, Consumer<Map<String, String>> lines)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.add("-cp");
    command.add(classpath);
    command.add(BenchChild.class.getName());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(env);
    long start = System.nanoTime();
    long startEpochMs = System.currentTimeMillis();
    Process process = builder.start();
    Map<String, String> result = new LinkedHashMap<>();
    List<String> output = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("BENCH ")) {
          result.clear();
          for (String pair : line.substring(6).split(" ")) {
            String[] kv = pair.split("=", 2);
            result.put(kv[0], kv[1]);
          }
          result.put("wall_ms", String.format("%.1f", (System.nanoTime() - start) / 1e6));
          String mainEpoch = result.remove("main_epoch_ms");
          if (mainEpoch != null) {
            result.put("jvm_to_main_ms", Long.toString(Long.parseLong(mainEpoch) - startEpochMs));
          }
          lines.accept(new LinkedHashMap<>(result));
          if ("cold".equals(args.getFirst())) {
            break; // the first response is the measurement; the JVM's exit is not
          }
        } else if (output.size() < 50) {
          output.add(line);
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || result.isEmpty()) {
      throw new IllegalStateException("bench JVM failed (exit " + exit + "): " + String.join("\n", output));
    }
    return result;
  }

  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static void checkJar(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> bad = file.stream().map(e -> e.getName())
          .filter(n -> FORBIDDEN.stream().anyMatch(n::startsWith)).limit(5).toList();
      if (!bad.isEmpty()) {
        throw new IllegalStateException("the webhook jar holds classes it must not: " + bad);
      }
      System.out.printf("%s: %.1f MiB, %d entries, none under %s%n", jar.getFileName(),
          Files.size(jar) / 1048576.0, file.size(), FORBIDDEN);
    }
  }
}
