package dev.spotrunner.simulator;

import dev.spotrunner.common.github.Sleeper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/**
 * {@code trace --repo OWNER/NAME --since DAYS [--out FILE] [--api URL] [--points-per-minute N]}:
 * writes a trace CSV from the repository's GitHub Actions history, with the token in
 * {@code GITHUB_TOKEN} (or {@code GH_TOKEN}). Running it again resumes: runs already in the file
 * are skipped.
 */
public final class TraceCommand {
  private TraceCommand() {}

  public static void main(String[] args) throws Exception {
    String repo = null;
    int since = 30;
    Path out = null;
    URI api = URI.create(System.getenv().getOrDefault("GITHUB_API_URL", "https://api.github.com"));
    int points = 600;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null && !arg.equals("-h") && !arg.equals("--help")) {
        fail(arg + " needs a value");
      }
      switch (arg) {
        case "--repo" -> repo = value;
        case "--since" -> since = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        case "--api" -> api = URI.create(value);
        case "--points-per-minute" -> points = Integer.parseInt(value);
        case "-h", "--help" -> fail(null);
        default -> fail("unknown argument: " + arg);
      }
      i++;
    }
    if (repo == null) {
      fail("--repo OWNER/NAME is required");
    }
    String token = System.getenv("GITHUB_TOKEN");
    if (token == null || token.isBlank()) {
      token = System.getenv("GH_TOKEN");
    }
    if (token == null || token.isBlank()) {
      fail("set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the repository's Actions");
    }
    if (out == null) {
      out = Path.of(repo.replace('/', '-') + "-trace.csv");
    }
    GitHubTrace.Outcome outcome = new GitHubTrace(api, token, points, Clock.systemUTC(),
        Sleeper.REAL).fetch(repo, since, out);
    System.out.printf("%s: %d runs, %d jobs written (%d runs already there), %d requests, "
        + "waited %.1f s for GitHub's limits%n", out, outcome.runs(), outcome.jobs(),
        outcome.runsSkipped(), outcome.requests(), outcome.waitedMillis() / 1000.0);
  }

  private static void fail(String message) {
    if (message != null) {
      System.err.println(message);
    }
    System.err.println("usage: trace --repo OWNER/NAME --since DAYS [--out FILE.csv] "
        + "[--api URL] [--points-per-minute N]   (token in GITHUB_TOKEN)");
    System.exit(2);
  }
}
