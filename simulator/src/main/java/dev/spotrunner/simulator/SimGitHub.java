package dev.spotrunner.simulator;

import dev.spotrunner.common.github.GitHubApps;
import dev.spotrunner.common.github.GitHubRunners;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GitHub as the deployment's Apps meet it: one {@link MeteredGitHub} per App (each App's
 * installation on an account has its own secondary-limit budget), all over the one world of
 * runners and jobs, and the real {@link GitHubApps} choosing an App per call as scale-up and
 * scale-down do. The figures are summed over the Apps.
 */
final class SimGitHub {
  private final List<MeteredGitHub> apps = new ArrayList<>();
  private final GitHubRunners selection;

  SimGitHub(GitHubRunners world, Clock clock, int appCount, Scenario.GitHub github,
      MeteredGitHub.Jobs jobs) {
    if (appCount < 1) {
      throw new IllegalArgumentException("the deployment names no GitHub App");
    }
    for (int i = 0; i < appCount; i++) {
      apps.add(new MeteredGitHub(world, clock, github.pointsPerMinute(),
          github.retryAfterSeconds(), github.outages(), jobs));
    }
    this.selection = GitHubApps.over(List.copyOf(apps));
  }

  /** What scale-up and scale-down call: the Apps behind the real selection. */
  GitHubRunners selection() {
    return selection;
  }

  /** The first App: the one the interruption function uses (Terraform gives it that one). */
  MeteredGitHub firstApp() {
    return apps.getFirst();
  }

  int apps() {
    return apps.size();
  }

  void actingFor(String poolName) {
    apps.forEach(app -> app.actingFor(poolName));
  }

  long calls() {
    return apps.stream().mapToLong(MeteredGitHub::calls).sum();
  }

  long refused() {
    return apps.stream().mapToLong(MeteredGitHub::refused).sum();
  }

  long failedInOutage() {
    return apps.stream().mapToLong(MeteredGitHub::failedInOutage).sum();
  }

  /** Most points all Apps together spent in one minute. */
  int peakPointsPerMinute() {
    return peak(apps.stream().map(MeteredGitHub::pointsByMinute).toList());
  }

  /** Most points all Apps together spent in one minute for one pool. */
  int peakPointsPerMinute(String pool) {
    return peak(apps.stream().map(app -> app.pointsByMinute(pool)).toList());
  }

  /** Most points one App spent on one installation in one minute (never above the limit). */
  int peakPointsPerApp() {
    return apps.stream().mapToInt(MeteredGitHub::peakPointsPerInstallation).max().orElse(0);
  }

  private static int peak(List<Map<Long, Integer>> perApp) {
    Map<Long, Integer> sum = new TreeMap<>();
    perApp.forEach(m -> m.forEach((minute, points) -> sum.merge(minute, points, Integer::sum)));
    return sum.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }
}
