package dev.spotrunner.simulator;

import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

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
    String repo = null;
    int since = 30;
    Path out = null;
    URI api = URI.create(System.getenv().getOrDefault("GITHUB_API_URL", "https://api.github.com"));
    int points = 600;
    String appId = null;
    Path appKey = null;
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
        case "--app-id" -> appId = value;
        case "--app-key-file" -> appKey = Path.of(value);
        case "-h", "--help" -> {
          usage();
          return;
        }
        default -> fail("unknown argument: " + arg);
      }
      i++;
    }
    if (repo == null) {
      fail("--repo OWNER/NAME is required");
    }
    String token;
    if (appId != null || appKey != null) {
      if (appId == null || appKey == null) {
        fail("--app-id and --app-key-file go together");
      }
      token = installationToken(api, appId, Files.readString(appKey), repo);
    } else {
      token = System.getenv("GITHUB_TOKEN");
      if (token == null || token.isBlank()) {
        token = System.getenv("GH_TOKEN");
      }
      if (token == null || token.isBlank()) {
        fail("set GITHUB_TOKEN (or GH_TOKEN) to a token that can read the repository's Actions, "
            + "or give --app-id and --app-key-file");
      }
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

  /**
   * A token of the GitHub App's installation on the repository (the App needs Actions: read),
   * minted with the same code the Lambdas use.
   */
  static String installationToken(URI api, String appId, String privateKeyPem, String repo) {
    InMemoryParameters parameters =
        new InMemoryParameters()
            .with("app-id", appId.trim()).with("app-key", privateKeyPem);
    GitHubApp app = GitHubApp.create(
        new GitHubAppSettings(api, "app-id", "app-key"), parameters,
        Clock.systemUTC(), GovernorLimits.GITHUB, Sleeper.REAL);
    String[] parts = repo.split("/", 2);
    long installation = app.installationId(
        RunnerOwner.repo(parts[0], parts[1]));
    return app.token(installation).token().reveal();
  }

  private static void fail(String message) {
    System.err.println(message);
    usage();
    System.exit(2);
  }

  private static void usage() {
    System.err.println("usage: trace --repo OWNER/NAME --since DAYS [--out FILE.csv] "
        + "[--api URL] [--points-per-minute N] [--app-id ID --app-key-file PEM]   "
        + "(else a token in GITHUB_TOKEN)");
  }
}
