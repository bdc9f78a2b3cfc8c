package dev.spotrunner.common.github;

import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.github.GitHubStandIn;
import dev.spotrunner.testkit.github.StandInApp;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runners a minute under steady load against the stand-in enforcing 900 points a minute per
 * installation (sliding window), in real time: {@code CONTAINERS} containers of
 * {@code THREADS} workers each, every job a check (GET) and a JIT config (POST). Three runs of
 * {@code bench.minutes} (default 4) minutes: one App with the Terraform share per container; two
 * Apps with the share; one App with the whole budget per container (the behaviour before shares).
 * Reports runners per minute overall and over the whole minutes after the first, secondary-limit
 * answers and the busiest window per installation. Measure over whole minutes: a sliding window
 * lets a full budget through at second 0, 60, 120..., so a span of 2.5 minutes can hold three
 * bursts and overstate the steady rate by a fifth. The class lives in testkit's test tree (it
 * needs the stand-in); run it as docs/github-standin.md runs {@code GitHubCallsBenchmark} (the
 * exec plugin does not resolve offline; {@code -am} puts this tree's common on the class path):
 * <pre>
 * ./mvnw -q -o -pl testkit -am test-compile dependency:build-classpath \
 *   -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
 * java -Dbench.minutes=4 \
 *   -cp "testkit/target/test-classes:testkit/target/classes:$(cat testkit/target/test-classpath.txt)" \
 *   dev.spotrunner.common.github.MultiAppBenchmark
 * </pre>
 */
public final class MultiAppBenchmark {
  private static final int CONTAINERS = 4;
  private static final int THREADS = 3;

  private MultiAppBenchmark() {}

  public static void main(String[] args) throws Exception {
    double minutes = Double.parseDouble(System.getProperty("bench.minutes", "4"));
    PrintStream out = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream())); // EMF and log lines
    out.println(run(1, 900 / CONTAINERS, minutes));
    out.println(run(2, 900 / CONTAINERS, minutes));
    out.println(run(1, 900, minutes));
  }

  private static String run(int appCount, int share, double minutes) throws Exception {
    Clock clock = Clock.systemUTC();
    try (GitHubStandIn github = GitHubStandIn.start()) {
      List<StandInApp> apps = new ArrayList<>(List.of(github.app()));
      while (apps.size() < appCount) {
        apps.add(github.addApp());
      }
      InMemoryParameters parameters = new InMemoryParameters();
      List<GitHubAppSettings.App> settingsApps = new ArrayList<>();
      List<Long> installations = new ArrayList<>();
      for (int i = 0; i < apps.size(); i++) {
        parameters.with("/app" + i + "/id", String.valueOf(apps.get(i).appId()))
            .with("/app" + i + "/key", apps.get(i).appKeys().pkcs1Pem());
        settingsApps.add(new GitHubAppSettings.App("/app" + i + "/id", "/app" + i + "/key"));
        installations.add(apps.get(i).install(JitLoad.ORG));
      }
      GitHubAppSettings settings =
          new GitHubAppSettings(github.apiUrl(), "https://github.com", settingsApps, share);
      List<GitHubRunners> containers = new ArrayList<>();
      for (int i = 0; i < CONTAINERS; i++) {
        containers.add(GitHubApps.create(settings, parameters, clock, GovernorLimits.GITHUB,
            Sleeper.REAL));
      }
      JitLoad load = new JitLoad(github, clock);
      load.queue(2000);
      Instant start = clock.instant();
      Instant end = start.plusMillis((long) (minutes * 60_000));
      load.run(containers, THREADS, end, false);
      StringBuilder peaks = new StringBuilder();
      for (long installation : installations) {
        peaks.append(" ").append(github.peakPoints(installation));
      }
      return String.format("%d App(s), %d containers x %d threads, %d points/min per container"
              + " and App, %.1f min: %d runners, %.1f/min overall, %.1f/min over the whole"
              + " minutes after the first; %d secondary-limit answers, %d calls retried,"
              + " busiest window per installation (points):%s",
          appCount, CONTAINERS, THREADS, share, minutes, load.launched(),
          load.perMinute(start, end), load.perMinute(start.plus(Duration.ofMinutes(1)),
              start.plus(Duration.ofMinutes(1 + (long) Math.floor(minutes - 1)))),
          github.rateLimited(), load.retried(), peaks);
    }
  }
}
