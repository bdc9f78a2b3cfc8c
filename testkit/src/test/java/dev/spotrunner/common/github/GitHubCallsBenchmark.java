package dev.spotrunner.common.github;

import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import dev.spotrunner.testkit.github.GitHubStandIn;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/**
 * How long the GitHub adapter takes against the stand-in on loopback: the first call of a fresh
 * JVM (class loading, key parsing, JWT, installation lookup, token) and warm calls, which show the
 * adapter's and governor's own overhead. Run:
 * {@code ./mvnw -B -q -pl common -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.spotrunner.common.github.GitHubCallsBenchmark}
 */
public final class GitHubCallsBenchmark {
  private GitHubCallsBenchmark() {}

  public static void main(String[] args) {
    try (GitHubStandIn github = GitHubStandIn.start()) {
      github.install("bench");
      github.rateBudget(1_000_000, java.time.Duration.ofMinutes(1)); // measure calls, not limits
      github.addJob("bench", "api", 1, List.of("self-hosted"));
      for (int i = 0; i < 30; i++) {
        github.addRunner("orgs/bench", "r" + i, "online", false, List.of("self-hosted"));
      }
      InMemoryParameters parameters = new InMemoryParameters()
          .with("/id", String.valueOf(github.appId()))
          .with("/key", github.appKeys().pkcs1Pem());
      long start = System.nanoTime();
      HttpGitHubRunners runners = GitHubApp.create(
          new GitHubAppSettings(github.apiUrl(), "/id", "/key"), parameters, Clock.systemUTC(),
          GovernorLimits.GITHUB.withPointsPerMinute(1_000_000), Sleeper.REAL).runners();
      RunnerOwner repo = RunnerOwner.repo("bench", "api");
      runners.job(repo, 1);
      double firstMillis = (System.nanoTime() - start) / 1e6;

      int n = 500;
      long[] job = new long[n];
      long[] list = new long[n];
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        runners.job(repo, 1);
        long t1 = System.nanoTime();
        runners.listRunners(RunnerOwner.org("bench"));
        job[i] = t1 - t0;
        list[i] = System.nanoTime() - t1;
      }
      System.out.printf("first call (cold: key, JWT, lookup, token, get job): %.1f ms%n",
          firstMillis);
      report("warm get job", job);
      report("warm list 30 runners", list);
    }
  }

  private static void report(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%s over %d calls: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", what,
        sorted.length, sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 99 / 100] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }
}
