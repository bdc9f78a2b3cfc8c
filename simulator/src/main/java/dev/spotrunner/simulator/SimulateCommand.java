package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code simulate --trace FILE --terraform DIR [--var-file FILE] [--scenario FILE] [--seeds N]
 * [--from WHEN] [--to WHEN] [--report FILE.html] [--json FILE.json]}: reads what the Terraform configuration deploys, replays
 * the trace through the scaling code once per seed and prints the figures with every setting's
 * source. {@code simulate --calibrate LABEL --trace FILE [--split ISO-INSTANT]} fits a capped-pool
 * model on the first part of a trace and predicts the second's waits.
 */
public final class SimulateCommand {
  private SimulateCommand() {}

  public static void main(String[] args) throws Exception {
    Path trace = null;
    Path terraform = null;
    Path varFile = null;
    Path scenarioFile = null;
    Path report = null;
    Path json = null;
    String calibrate = null;
    Instant split = null;
    Instant from = null;
    Instant to = null;
    int seeds = 1;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--trace" -> trace = Path.of(value(args, ++i, arg));
        case "--terraform" -> terraform = Path.of(value(args, ++i, arg));
        case "--var-file" -> varFile = Path.of(value(args, ++i, arg));
        case "--scenario" -> scenarioFile = Path.of(value(args, ++i, arg));
        case "--report" -> report = Path.of(value(args, ++i, arg));
        case "--json" -> json = Path.of(value(args, ++i, arg));
        case "--seeds" -> seeds = Integer.parseInt(value(args, ++i, arg));
        case "--calibrate" -> calibrate = value(args, ++i, arg);
        case "--split" -> split = Instant.parse(value(args, ++i, arg));
        case "--from" -> from = instant(value(args, ++i, arg), arg);
        case "--to" -> to = instant(value(args, ++i, arg), arg);
        case "-h", "--help" -> {
          usage();
          return;
        }
        default -> fail("unknown argument: " + arg);
      }
    }
    if (trace == null) {
      fail("--trace is required");
    }
    readable(trace);
    List<TraceJob> jobs = Trace.read(trace);
    if (calibrate != null) {
      System.out.print(Calibration.run(jobs, calibrate, split).text());
      return;
    }
    if (terraform == null) {
      fail("--terraform DIR is required (the configuration whose pools to simulate)");
    }
    if (varFile != null) {
      readable(varFile);
    }
    if (seeds < 1) {
      fail("--seeds must be at least 1");
    }
    JsonNode scenarioJson = null;
    Scenario scenario = Scenario.defaults();
    if (scenarioFile != null) {
      readable(scenarioFile);
      scenarioJson = Json.MAPPER.readTree(Files.readString(scenarioFile));
      scenario = Scenario.read(scenarioFile);
    }
    Set<String> commandLine = new HashSet<>();
    if (from != null || to != null) {
      // the command line's window wins over the scenario file's
      scenario = scenario.window(from, to);
      if (from != null) {
        commandLine.add("from");
      }
      if (to != null) {
        commandLine.add("to");
      }
    }
    TerraformReader.Result deployed = TerraformReader.standard().read(terraform, varFile);
    System.out.printf("configuration %s read by terraform %s in %.1f s%s%n", terraform,
        deployed.cached() ? "(cached)" : "test with the mock AWS provider",
        deployed.millis() / 1000.0,
        deployed.placeholders().isEmpty() ? "" : "; placeholders for " + deployed.placeholders());
    List<TraceJob> window = window(jobs, scenario);
    System.out.printf("window: %d jobs queued from %s to %s%n", window.size(),
        window.getFirst().queuedAt(), window.getLast().queuedAt());
    Map<String, Integer> routed = Simulation.routed(deployed.deployment(), scenario, window);
    if (routed.isEmpty()) {
      // Replaying a trace nothing of which reaches a pool would print zeros as if they were figures.
      fail(noJobRouted(window, deployed.deployment(), scenarioFile));
    }
    System.out.printf("routed: %s of %d jobs (the rest: no pool takes their labels)%n", routed,
        window.size());
    // The scaling code logs every decision; over weeks of history that is noise here.
    Log.setLevel(Log.Level.ERROR);
    List<SimulationResult> runs = new ArrayList<>();
    for (int seed = 1; seed <= seeds; seed++) {
      Simulation simulation = null;
      try {
        simulation = new Simulation(deployed.deployment(), scenario, seed,
            window.getFirst().queuedAt().minus(Duration.ofMinutes(10)));
      } catch (IllegalArgumentException unusable) {
        fail(unusable.getMessage()); // e.g. a pool whose boot path has no boot time
      }
      SimulationResult result = simulation.run(window);
      runs.add(result);
      System.out.printf("seed %d: %.1f s wall time%n", seed, result.wallTime().toMillis() / 1000.0);
    }
    System.out.print(runs.getFirst().summary());
    SeedSummary summary = SeedSummary.of(runs);
    if (seeds > 1) {
      System.out.print(summary.table());
    }
    List<Deployment.Setting> settings = new ArrayList<>(deployed.deployment().settings());
    settings.addAll(scenario.settings(scenarioJson, commandLine));
    settings.add(new Deployment.Setting("terraform", "placeholders",
        String.join(", ", deployed.placeholders()),
        "no value given: placeholder in the temporary copy (VPC, secrets, jar hashes)"));
    if (json != null) {
      Files.writeString(json, json(runs));
      System.out.println("json: " + json.toAbsolutePath());
    }
    if (report != null) {
      Report.write(runs, summary, settings, "spotrunner simulation of " + trace.getFileName()
          + " on " + terraform, report);
      System.out.println("report: " + report.toAbsolutePath());
    } else {
      System.out.println("settings (add --report FILE.html for the table with every source):");
      settings.stream().filter(s -> KEY_SETTINGS.stream().anyMatch(k -> s.name().endsWith(k)))
          .forEach(s -> System.out.printf("  %-8s %-40s %-12s %s%n", s.pool(), s.name(), s.value(),
              s.source()));
    }
  }

  private static final List<String> KEY_SETTINGS = List.of("boot_path", "visibility_timeout_seconds",
      "maxReceiveCount", "batch_size", "maximum_concurrency", "reserved_concurrent_executions",
      "schedule_expression", "JOB_RECHECK_SECONDS", "JOB_CHECK_FIRST_RECEIVE",
      "QUEUE_BACKOFF_BASE_SECONDS", "QUEUE_BACKOFF_MAX_SECONDS", "LAUNCH_LOCK_PARAM", "MAX_RUNNERS",
      "INSTANCE_TYPES", "CAPACITY_TYPE", "EPHEMERAL");

  /**
   * Why nothing can be simulated: the trace's labels (with their job counts) and the labels the
   * pools take, and how to map one onto the other.
   */
  static String noJobRouted(List<TraceJob> window, Deployment deployment, Path scenarioFile) {
    Map<String, Integer> traceLabels = new java.util.TreeMap<>();
    window.forEach(j -> traceLabels.merge(String.join(",", j.labels()), 1, Integer::sum));
    return "no job of the trace reaches a pool of " + deployment.configuration() + ": the trace's "
        + "labels are " + traceLabels + " and the webhook routes " + deployment.webhookPools()
        + (scenarioFile == null ? "; without --scenario no label is translated" : "; "
            + scenarioFile + " maps none of them onto a pool's")
        + ". Map a trace label to a pool's labels with the scenario's \"labels\" (for the "
        + "shipped bitcoin trace: --scenario simulator/examples/bitcoin.json)";
  }

  /**
   * What {@code --json} writes (docs/simulator.md#json): one run's metrics, or with several seeds
   * each metric's min, median and max.
   */
  static String json(List<SimulationResult> runs) throws java.io.IOException {
    return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
        runs.size() > 1 ? SeedSummary.of(runs).json() : single(runs.getFirst()));
  }

  /** One run's JSON: {pools: {name: metrics}, overall: metrics}. */
  static Map<String, Object> single(SimulationResult result) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> pools = new LinkedHashMap<>();
    result.pools().forEach((name, r) -> pools.put(name, r.metrics()));
    out.put("seeds", 1);
    out.put("pools", pools);
    out.put("overall", result.overall().metrics());
    return out;
  }

  /** The trace's jobs inside the scenario's window. */
  static List<TraceJob> window(List<TraceJob> jobs, Scenario scenario) {
    List<TraceJob> window = jobs.stream()
        .filter(j -> scenario.from() == null || !j.queuedAt().isBefore(scenario.from()))
        .filter(j -> scenario.to() == null || j.queuedAt().isBefore(scenario.to()))
        .toList();
    if (window.isEmpty()) {
      fail("no trace job inside the scenario's window " + scenario.from() + " – " + scenario.to());
    }
    return window;
  }

  /** An ISO-8601 instant, or a date (its start, UTC). */
  static Instant instant(String text, String flag) {
    try {
      return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      fail(flag + " needs an ISO-8601 instant or a date (2025-09-14T00:00:00Z, 2025-09-14), got "
          + text);
      return null;
    }
  }

  private static void readable(Path file) {
    if (!Files.isReadable(file)) {
      fail("cannot read " + file);
    }
  }

  private static String value(String[] args, int index, String flag) {
    if (index >= args.length) {
      fail(flag + " needs a value");
    }
    return args[index];
  }

  private static void fail(String message) {
    System.err.println(message);
    usage();
    System.exit(2);
  }

  private static void usage() {
    System.err.println("usage: simulate --trace FILE.csv --terraform DIR [--var-file FILE.tfvars] "
        + "[--scenario FILE.json] [--from WHEN] [--to WHEN] [--seeds N] [--report FILE.html] "
        + "[--json FILE.json]\n"
        + "       simulate --calibrate TRACE-LABEL --trace FILE.csv [--split ISO-INSTANT]");
  }
}
