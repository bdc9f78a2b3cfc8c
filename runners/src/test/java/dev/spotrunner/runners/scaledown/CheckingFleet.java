package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fleet that checks invariant 4 at the moment of every termination: the instance's runner is no
 * longer registered in GitHub, and no runner of that instance was ever seen busy.
 */
final class CheckingFleet implements RunnerFleet {
  private final RunnerFleet delegate;
  private final FakeGitHub github;
  private final List<RunnerOwner> owners;
  final Set<InstanceId> everBusy = ConcurrentHashMap.newKeySet();
  final List<String> violations = new ArrayList<>();

  CheckingFleet(RunnerFleet delegate, FakeGitHub github, List<RunnerOwner> owners) {
    this.delegate = delegate;
    this.github = github;
    this.owners = owners;
  }

  /** Notes every instance whose runner is busy now (call whenever runners may have changed). */
  void observeBusy() {
    for (RunnerOwner owner : owners) {
      for (GitHubRunner runner : github.runners(owner)) {
        InstanceId id = InstanceId.findIn(runner.name());
        if (runner.busy() && id != null) {
          everBusy.add(id);
        }
      }
    }
  }

  @Override
  public LaunchOutcome launch(LaunchSpec spec) {
    return delegate.launch(spec);
  }

  @Override
  public List<RunnerInstance> list(Map<String, String> tags) {
    return delegate.list(tags);
  }

  @Override
  public List<RunnerInstance> interrupted(Map<String, String> tags) {
    return delegate.interrupted(tags);
  }

  @Override
  public java.util.Set<InstanceId> ended(Collection<InstanceId> instances) {
    return delegate.ended(instances);
  }

  @Override
  public void tag(InstanceId instance, Map<String, String> tags) {
    delegate.tag(instance, tags);
  }

  @Override
  public void terminate(Collection<InstanceId> instances) {
    observeBusy();
    for (InstanceId id : instances) {
      if (everBusy.contains(id)) {
        record("terminated " + id + " whose runner was busy");
      }
      for (RunnerOwner owner : owners) {
        for (GitHubRunner runner : github.runners(owner)) {
          if (runner.name().contains(id.value())) {
            record("terminated " + id + " while runner " + runner + " is still registered");
          }
        }
      }
    }
    delegate.terminate(instances);
  }

  private synchronized void record(String violation) {
    violations.add(violation);
  }
}
