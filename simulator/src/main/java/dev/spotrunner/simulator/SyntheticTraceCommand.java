package dev.spotrunner.simulator;

import java.nio.file.Path;

/**
 * {@code trace --synthetic --orgs N --jobs-per-hour R [--hours H] [--seed S] [--sample FILE]
 * --out FILE}: writes a {@link SyntheticTrace}, run times drawn from {@code --sample} (the shipped
 * bitcoin-core trace by default).
 */
public final class SyntheticTraceCommand {
  static final String SHIPPED = "simulator/traces/bitcoin-core-ci-2025-09.csv";

  private SyntheticTraceCommand() {}

  public static void main(String[] args) throws Exception {
    Integer orgs = null;
    Double rate = null;
    double hours = 24;
    long seed = 1;
    Path sample = Path.of(SHIPPED);
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--synthetic")) {
        continue;
      }
      if (arg.equals("-h") || arg.equals("--help")) {
        usage();
        return;
      }
      if (i + 1 >= args.length) {
        fail(arg + " needs a value");
      }
      String value = args[++i];
      switch (arg) {
        case "--orgs" -> orgs = Integer.parseInt(value);
        case "--jobs-per-hour" -> rate = Double.parseDouble(value);
        case "--hours" -> hours = Double.parseDouble(value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--sample" -> sample = Path.of(value);
        case "--out" -> out = Path.of(value);
        default -> fail("unknown argument: " + arg);
      }
    }
    if (orgs == null || rate == null || out == null) {
      fail("--orgs, --jobs-per-hour and --out are required");
    }
    int jobs = new SyntheticTrace(Trace.read(sample)).write(out, orgs, rate, hours, seed);
    System.out.printf("%s: %d jobs over %s hours, %d orgs, seed %d%n", out, jobs, hours, orgs,
        seed);
  }

  private static void fail(String message) {
    System.err.println(message);
    usage();
    System.exit(2);
  }

  private static void usage() {
    System.err.println("usage: trace --synthetic --orgs N --jobs-per-hour R [--hours H] "
        + "[--seed S] [--sample FILE.csv] --out FILE.csv");
  }
}
