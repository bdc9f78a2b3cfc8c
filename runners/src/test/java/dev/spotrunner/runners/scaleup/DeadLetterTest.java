package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.WorkflowJob;
import dev.spotrunner.common.job.JobMessage;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Messages scale-up will not serve go to the DLQ with their reason, never silently away. */
class DeadLetterTest {
  private final Fixture fixture = new Fixture();

  @Test
  void deadLettersAJobWhoseRepositoryBreaksGitHubsNamingRulesAndLaunchesNothing() {
    JobMessage traversal = new JobMessage(3, 1, "acme-org/../../etc", "acme-org", "Organization",
        42, List.of("self-hosted", "linux"), "linux", "d-3", Fixture.NOW);

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m3", 1, traversal)));

    assertEquals(List.of(), fixture.fleet.all(), "no instance, not even at org level");
    assertEquals(List.of(), outcome.retry());
    assertEquals(1, outcome.deadLettered());
    assertTrue(fixture.returns.deadLetters.get(0).reason().startsWith("invalid_name: "),
        fixture.returns.deadLetters.get(0).reason());
    assertEquals(0, fixture.github.totalCalls(), "nothing asked of GitHub for it");
    assertTrue(fixture.metrics.stream().anyMatch(line -> line.contains("\"JobsDropped\"")
        && line.contains("\"reason\":\"invalid_name\"")), String.join("\n", fixture.metrics));
  }

  @Test
  void keepsAMessageInTheBatchFailuresWhenTheDlqRefusesIt() {
    fixture.returns.failing = true;

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.parse("bad", "{oops", "1")));

    assertEquals(List.of("bad"), outcome.retry(), "never deleted unseen");
    assertEquals(0, outcome.deadLettered());
  }

  @Test
  void neverLaunchesAnywayWhenTheJobCheckFailsOnOurSide() {
    GitHubRunners broken = failingJobCheck(fixture.github,
        new IllegalArgumentException("invalid repository name"));
    fixture.githubSeen(broken);

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1))));

    assertEquals(0, outcome.launched(), "a local error is not GitHub being down");
    assertEquals(0, outcome.checkFailed());
    assertEquals(List.of("m1"), outcome.retry());
  }

  @Test
  void aJobWhoseLaunchStepIsRefusedForGoodWaitsWithTheShortBackoffNotDropped() {
    // SSM refusing the write for good (say, a policy): permanent for the step, not the job
    fixture.parametersSeen((dev.spotrunner.common.parameters.Parameters) Proxy.newProxyInstance(
        getClass().getClassLoader(),
        new Class<?>[] {dev.spotrunner.common.parameters.Parameters.class}, (proxy, method, args) -> {
          if (method.getName().equals("putSecure")) {
            throw new dev.spotrunner.common.PermanentFailure("SSM PutParameter: AccessDenied (403)");
          }
          try {
            return method.invoke(fixture.parameters, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        }));

    BatchOutcome outcome = fixture.scaleUp().run(List.of(QueuedMessage.of("m1", 1, Fixture.job(1))));

    // The launcher reports a failed step retryable: the job comes back after the short backoff
    // as a new message (never dead-lettered by receive count while GitHub says it waits).
    assertEquals(List.of(), outcome.retry());
    assertEquals(0, outcome.deadLettered());
    assertEquals(List.of(1L), fixture.returns.laterJobIds());
    assertEquals(List.of(), fixture.fleet.all(), "no instance without its config");
  }

  /** GitHub whose job check throws {@code failure}; everything else answers. */
  private static GitHubRunners failingJobCheck(FakeGitHub github, RuntimeException failure) {
    return (GitHubRunners) Proxy.newProxyInstance(GitHubRunners.class.getClassLoader(),
        new Class<?>[] {GitHubRunners.class}, (proxy, method, args) -> {
          if (method.getName().equals("job") && args != null && args.length == 2
              && args[0] instanceof RunnerOwner && (args[1] instanceof Long || args[1] instanceof dev.spotrunner.common.job.JobId)) {
            throw failure;
          }
          try {
            return method.invoke(github, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  static WorkflowJob queued(long id) {
    return new WorkflowJob(id, 9000 + id, "queued", List.of("self-hosted", "linux"),
        Fixture.NOW, null);
  }
}
