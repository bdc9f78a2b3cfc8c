package dev.spotrunner.simulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import dev.spotrunner.common.log.Log;

/**
 * {@code simulate --trace FILE --pools FILE [--seed N] [--report FILE]}: replays a job trace through
 * the scaling code and prints the summary; with {@code --report} also writes an HTML report.
 */
public final class SimulateCommand {
  private SimulateCommand() {}

  public static void main(String[] args) throws Exception {
    Path trace = null;
    Path pools = null;
    Path report = null;
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--trace" -> trace = Path.of(value(args, ++i, arg));
        case "--pools" -> pools = Path.of(value(args, ++i, arg));
        case "--report" -> report = Path.of(value(args, ++i, arg));
        case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
        case "-h", "--help" -> {
          usage();
          return;
        }
        default -> {
          System.err.println("unknown argument: " + arg);
          usage();
          System.exit(2);
        }
      }
    }
    if (trace == null || pools == null) {
      usage();
      System.exit(2);
    }
    for (Path file : List.of(trace, pools)) {
      if (!Files.isReadable(file)) {
        System.err.println("cannot read " + file);
        System.exit(2);
      }
    }
    // The scaling code logs every decision; over weeks of history that is noise here.
    Log.setLevel(Log.Level.ERROR);
    SimulationConfig config = SimulationConfig.read(pools);
    List<TraceJob> jobs = Trace.read(trace);
    Simulation simulation = new Simulation(config, seed,
        jobs.getFirst().queuedAt().minus(Duration.ofMinutes(10)));
    SimulationResult result = simulation.run(jobs);
    System.out.print(result.summary());
    if (report != null) {
      Report.write(result, "spotrunner simulation of " + trace.getFileName(), report);
      System.out.println("report: " + report.toAbsolutePath());
    }
  }

  private static String value(String[] args, int index, String flag) {
    if (index >= args.length) {
      System.err.println(flag + " needs a value");
      System.exit(2);
    }
    return args[index];
  }

  private static void usage() {
    System.err.println("usage: simulate --trace FILE.csv --pools FILE.json [--seed N] [--report FILE.html]");
  }
}
