package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GitHubAppsTest {
  private static final RunnerOwner ACME = RunnerOwner.org("acme");
  private static final JitRequest REQUEST =
      new JitRequest("runner-1", List.of("self-hosted"), 1, "_work");

  /** One App as the adapter sees it: points left, and what its next calls do. */
  private static final class ScriptedApp implements GitHubRunners {
    final String name;
    int points = 900;
    RuntimeException failure;
    final List<String> calls = new ArrayList<>();

    ScriptedApp(String name) {
      this.name = name;
    }

    @Override
    public int pointsLeft(RunnerOwner owner) {
      if (failure instanceof NotInstalled) {
        throw failure; // the installation lookup answers 404
      }
      return points;
    }

    @Override
    public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
      calls.add("jit");
      if (failure != null) {
        throw failure;
      }
      points -= 5;
      return new JitConfig(new GitHubRunner(1, request.name(), "offline", false, List.of()),
          "config-of-" + name);
    }

    @Override
    public List<GitHubRunner> listRunners(RunnerOwner owner) {
      calls.add("list");
      if (failure != null) {
        throw failure;
      }
      return List.of();
    }

    @Override
    public void knownInstallation(RunnerOwner owner, long installationId) {
      throw new AssertionError("a hint may belong to another App");
    }

    @Override
    public RegistrationToken registrationToken(RunnerOwner owner) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long runnerGroupId(RunnerOwner owner, String groupName) {
      throw new UnsupportedOperationException();
    }
  }

  private final ScriptedApp first = new ScriptedApp("first");
  private final ScriptedApp second = new ScriptedApp("second");
  private final GitHubApps apps = new GitHubApps(List.of(first, second));

  @Test
  void spreadsCallsOverTheAppsByPointsLeft() {
    for (int i = 0; i < 10; i++) {
      apps.jitConfig(ACME, REQUEST);
    }
    assertThat(first.calls).hasSize(5);
    assertThat(second.calls).hasSize(5);
    assertThat(apps.pointsLeft(ACME)).isEqualTo(1800 - 50);
  }

  @Test
  void goesToTheAppWithMorePointsLeft() {
    first.points = 100;
    second.points = 700;
    assertThat(apps.jitConfig(ACME, REQUEST).encodedJitConfig()).isEqualTo("config-of-second");
  }

  @Test
  void fallsBackToAnotherAppWhenOneIsLimited() {
    second.points = 0;
    first.failure = new GitHubLimited("secondary rate limit until 10:01");
    assertThat(apps.jitConfig(ACME, REQUEST).encodedJitConfig()).isEqualTo("config-of-second");
    assertThat(first.calls).containsExactly("jit");
  }

  @Test
  void fallsBackWhenAnAppsKeyIsRefusedAndTriesItLastFromThenOn() {
    second.points = 10;
    first.failure = new AppKeyRefused("401 after reading the key again");
    assertThat(apps.jitConfig(ACME, REQUEST).encodedJitConfig()).isEqualTo("config-of-second");
    assertThat(apps.jitConfig(ACME, REQUEST).encodedJitConfig()).isEqualTo("config-of-second");
    assertThat(first.calls).containsExactly("jit"); // not asked again while the other works

    first.failure = null; // the key was rotated in SSM
    second.failure = new GitHubLimited("budget spent");
    assertThat(apps.jitConfig(ACME, REQUEST).encodedJitConfig()).isEqualTo("config-of-first");
  }

  @Test
  void skipsAnAppNotInstalledOnTheOwner() {
    first.failure = new NotInstalled(ACME);
    apps.listRunners(ACME);
    apps.listRunners(ACME);
    assertThat(first.calls).isEmpty();
    assertThat(second.calls).containsExactly("list", "list");
  }

  @Test
  void sendsTheLastFailureBackWhenNoAppCanMakeTheCall() {
    first.failure = new GitHubLimited("first limited");
    second.failure = new GitHubLimited("second limited");
    assertThatThrownBy(() -> apps.jitConfig(ACME, REQUEST)).isInstanceOf(GitHubLimited.class);
    assertThat(first.calls).hasSize(1);
    assertThat(second.calls).hasSize(1);
  }

  @Test
  void endsAtOnceOnAnAnswerEveryAppWouldGet() {
    second.points = 100;
    first.failure = new RunnerNameTaken(ACME, "runner-1");
    assertThatThrownBy(() -> apps.jitConfig(ACME, REQUEST)).isInstanceOf(RunnerNameTaken.class);
    assertThat(second.calls).isEmpty();
  }

  @Test
  void saysSoWhenNoAppIsInstalled() {
    first.failure = new NotInstalled(ACME);
    second.failure = new NotInstalled(ACME);
    assertThatThrownBy(() -> apps.listRunners(ACME)).isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("not installed");
  }

  @Test
  void ignoresAWebhooksInstallationHint() {
    apps.knownInstallation(ACME, 42); // ScriptedApp fails the test if the hint reaches it
  }
}
