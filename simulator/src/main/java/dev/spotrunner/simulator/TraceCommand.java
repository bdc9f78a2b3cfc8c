package dev.spotrunner.simulator;

import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * {@code trace --repo OWNER/NAME --since DAYS [--out FILE] [--api URL] [--points-per-minute N]
 * [--app-id ID --app-key-file PEM]}: writes a trace CSV from the repository's GitHub Actions
 * history, as the GitHub App's installation on the repository or with the token in
 * {@code GITHUB_TOKEN} (or {@code GH_TOKEN}). Running it again resumes: runs already in the file
 * are skipped.
 */
public final class TraceCommand {
  private TraceCommand() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args, System.getenv(), System.out, Clock.systemUTC(), Sleeper.REAL);
    } catch (UsageError e) {
      System.err.println(e.getMessage());
      usage();
      System.exit(2);
    }
  }

  /** A command line that cannot run: the message says what to give. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  /**
   * The command with its environment ({@code GITHUB_TOKEN}, {@code GH_TOKEN},
   * {@code GITHUB_API_URL}), output, clock and sleeper passed in: what {@link #main} runs.
   */
  static GitHubTrace.Outcome run(String[] args, Map<String, String> env, PrintStream stdout,
      Clock clock, Sleeper sleeper) throws Exception {
    String repo = null;
    int since = 30;
    Path out = null;
    URI api = URI.create(env.getOrDefault("GITHUB_API_URL", "https://api.github.com"));
    int points = 600;
    String appId = null;
    Path appKey = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (arg.equals("-h") || arg.equals("--help")) {
        usage();
        return null;
      }
      if (value == null) {
        throw new UsageError(arg + " needs a value");
      }
      switch (arg) {
        case "--repo" -> repo = value;
        case "--since" -> since = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        case "--api" -> api = URI.create(value);
        case "--points-per-minute" -> points = Integer.parseInt(value);
        case "--app-id" -> appId = value;
        case "--app-key-file" -> appKey = Path.of(value);
        default -> throw new UsageError("unknown argument: " + arg);
      }
      i++;
    }
    if (repo == null) {
      throw new UsageError("--repo OWNER/NAME is required");
    }
    String token;
    if (appId != null || appKey != null) {
      if (appId == null || appKey == null) {
        throw new UsageError("--app-id and --app-key-file go together");
      }
      token = installationToken(api, appId, Files.readString(appKey), repo, clock);
    } else {
      token = env.get("GITHUB_TOKEN");
      if (token == null || token.isBlank()) {
        token = env.get("GH_TOKEN");
      }
      if (token == null || token.isBlank()) {
        throw new UsageError("set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the "
            + "repository's Actions, or give --app-id and --app-key-file");
      }
    }
    if (out == null) {
      out = Path.of(repo.replace('/', '-') + "-trace.csv");
    }
    GitHubTrace.Outcome outcome = new GitHubTrace(api, token, points, clock, sleeper)
        .fetch(repo, since, out);
    stdout.printf("%s: %d runs, %d jobs written (%d runs already there), %d requests, "
        + "waited %.1f s for GitHub's limits%n", out, outcome.runs(), outcome.jobs(),
        outcome.runsSkipped(), outcome.requests(), outcome.waitedMillis() / 1000.0);
    return outcome;
  }

  /**
   * A token of the GitHub App's installation on the repository (the App needs Actions: read),
   * minted with the same code the Lambdas use.
   */
  static String installationToken(URI api, String appId, String privateKeyPem, String repo,
      Clock clock) {
    InMemoryParameters parameters =
        new InMemoryParameters()
            .with("app-id", appId.trim()).with("app-key", privateKeyPem);
    GitHubApp app = GitHubApp.create(
        new GitHubAppSettings(api, "app-id", "app-key"), parameters,
        clock, GovernorLimits.GITHUB, Sleeper.REAL);
    String[] parts = repo.split("/", 2);
    long installation = app.installationId(
        RunnerOwner.repo(parts[0], parts[1]));
    return app.token(installation).token().reveal();
  }

  private static void usage() {
    System.err.println("usage: trace --repo OWNER/NAME --since DAYS [--out FILE.csv] "
        + "[--api URL] [--points-per-minute N] [--app-id ID --app-key-file PEM]   "
        + "(else a token in GITHUB_TOKEN)");
  }
}
