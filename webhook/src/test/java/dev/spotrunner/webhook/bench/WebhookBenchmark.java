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
 * The webhook's figures, each from new JVMs started from the shaded jar, against an AWS that answers
 * over loopback HTTP: {@code stub} ({@link LoopbackAws}, answers at once) and {@code moto}
 * (moto_server, what the integration tests use). Per backend:
 *
 * <ul>
 *   <li>cold start without priming: JVM start → handler built → first response (median of N runs);
 *   <li>cold start with priming: the same with {@code Priming} (SnapStart's beforeCheckpoint) run
 *       between construction and the first request; its first request is what a restored
 *       SnapStart container's first request costs (median of N runs);
 *   <li>warm latency: mean, p50, p99 of 10,000 requests after 5,000 warm-up (HdrHistogram).
 * </ul>
 *
 * Cold JVMs run with {@code -XX:TieredStopAtLevel=1}, as Lambda's Java runtime starts them. How to
 * run: webhook/README.md.
 */
public final class WebhookBenchmark {
  static final List<String> FORBIDDEN = List.of("org/kohsuke/", "io/jsonwebtoken/",
      "com/fasterxml/jackson/databind/", "software/amazon/awssdk/services/ec2/",
      "software/amazon/awssdk/services/s3/", "io/netty/", "org/apache/http/");
  /** Lambda's Java runtime runs C1 only; {@code -Dbench.childFlags="…"} adds flags (e.g. a class log). */
  private static final List<String> COLD_FLAGS = coldFlags();
  private static final String SECRET_PARAM = "/bench/webhook-secret";

  private WebhookBenchmark() {}

  private static List<String> coldFlags() {
    List<String> flags = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
    String extra = System.getProperty("bench.childFlags", "").trim();
    if (!extra.isEmpty()) {
      flags.addAll(List.of(extra.split("\\s+")));
    }
    return List.copyOf(flags);
  }

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 10);
    int requests = Integer.getInteger("bench.requests", 10_000);
    int warmup = Integer.getInteger("bench.warmup", 5_000);
    // moto answers in milliseconds, not microseconds, and its SendMessage slows down as its queue
    // grows (p50 ~200 ms after 500 messages here): warm figures come from the stub unless asked
    boolean motoWarm = Boolean.getBoolean("bench.motoWarm");
    int motoRequests = Integer.getInteger("bench.motoRequests", 1_000);
    int motoWarmup = Integer.getInteger("bench.motoWarmup", 500);
    boolean cold = Boolean.parseBoolean(System.getProperty("bench.cold", "true"));
    List<String> backends = List.of(System.getProperty("bench.backends", "stub,moto").split(","));
    Path jar = Path.of(System.getProperty("bench.jar", "webhook/target/spotrunner-webhook.jar"));
    Path testClasses = Path.of(System.getProperty("bench.testClasses", "webhook/target/test-classes"));
    String extra = System.getProperty("bench.classpath", "");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " not found: build it with ./mvnw -pl webhook -am package");
    }
    checkJar(jar);
    String secret = HexFormat.of().formatHex(new SecureRandom().generateSeed(24));
    // Cold runs see only the Lambda's jar and the bench classes: whatever the handler needs must
    // be in the jar. The warm run adds HdrHistogram.
    String coldClasspath = jar + java.io.File.pathSeparator + testClasses;
    String classpath = coldClasspath + (extra.isEmpty() ? "" : java.io.File.pathSeparator + extra);
    for (String backend : backends) {
      try (Backend aws = Backend.start(backend.trim(), SECRET_PARAM, secret)) {
        Map<String, String> env = environment(aws, secret);
        System.out.println("== AWS: " + aws.name() + " at " + aws.endpoint());
        for (boolean primed : cold ? List.of(false, true) : List.<Boolean>of()) {
          List<Double> totals = new ArrayList<>();
          List<Double> firsts = new ArrayList<>();
          List<Double> firstCpus = new ArrayList<>();
          List<Double> cpus = new ArrayList<>();
          Map<String, String> last = Map.of();
          for (int run = 0; run < runs; run++) {
            List<String> childArgs = primed ? List.of("cold", "primed") : List.of("cold");
            last = child(coldClasspath, COLD_FLAGS, env, childArgs);
            totals.add(Double.parseDouble(last.get("wall_ms")));
            firsts.add(Double.parseDouble(last.get("first_request_ms")));
            firstCpus.add(Double.parseDouble(last.get("first_request_cpu_ms")));
            cpus.add(Double.parseDouble(last.get("cpu_ms")));
          }
          System.out.printf("cold start %s priming: JVM start -> first response median %.0f ms"
                  + " (min %.0f, max %.0f); first request median %.1f ms (min %.1f, max %.1f);"
                  + " first request's CPU median %.1f ms; process CPU to first response median"
                  + " %.0f ms; %d runs%n", primed ? "with" : "without", median(totals),
              min(totals), max(totals), median(firsts), min(firsts), max(firsts),
              median(firstCpus), median(cpus), runs);
          System.out.println("  last run phases: " + last);
        }
        boolean moto = backend.trim().equals("moto");
        if (moto && !motoWarm) {
          continue;
        }
        Map<String, Map<String, String>> warm = new LinkedHashMap<>();
        child(classpath, List.of(), env, List.of("warm", String.valueOf(moto ? motoRequests : requests),
                String.valueOf(moto ? motoWarmup : warmup)),
            line -> warm.put(line.get("mode"), line));
        for (String mode : List.of("warm_no_sqs", "warm")) {
          Map<String, String> w = warm.get(mode);
          System.out.printf("%s over %s requests (after %s warm-up): mean %s ms, p50 %s ms,"
                  + " p99 %s ms, p99.9 %s ms, max %s ms; CPU per request p50 %s ms, p99 %s ms%n",
              mode.equals("warm") ? "warm latency, SQS at " + aws.name()
                  : "warm latency, in-memory queue (webhook alone)",
              w.get("requests"), w.get("warmup"), w.get("mean_ms"), w.get("p50_ms"), w.get("p99_ms"),
              w.get("p999_ms"), w.get("max_ms"), w.get("cpu_p50_ms"), w.get("cpu_p99_ms"));
        }
      }
    }
  }

  private static Map<String, String> environment(Backend aws, String secret) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ENVIRONMENT", "bench");
    env.put("WEBHOOK_SECRET_PARAMS", SECRET_PARAM);
    env.put("POOLS", "[{\"name\":\"linux\",\"labels\":[\"self-hosted\",\"linux\",\"x64\"],"
        + "\"queueUrl\":\"" + aws.queueUrl() + "\",\"delaySeconds\":0}]");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ENDPOINT_URL", aws.endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
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

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static void checkJar(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> bad = file.stream().map(e -> e.getName())
          .filter(n -> FORBIDDEN.stream().anyMatch(n::startsWith)).limit(5).toList();
      if (!bad.isEmpty()) {
        throw new IllegalStateException("the webhook jar holds classes it must not: " + bad);
      }
      System.out.printf("%s: %.2f MiB (%d bytes), %d entries, none under %s%n", jar.getFileName(),
          Files.size(jar) / 1048576.0, Files.size(jar), file.size(), FORBIDDEN);
    }
  }
}
