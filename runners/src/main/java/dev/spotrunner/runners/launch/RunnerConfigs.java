package dev.spotrunner.runners.launch;

import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes the config one runner starts with: a JIT config (one GitHub call per runner) or a
 * registration token shared by every runner of an owner until shortly before it expires, so a
 * persistent pool spends one GitHub call per hour per owner, not one per runner.
 */
public final class RunnerConfigs {
  /** A cached token is replaced this long before GitHub's expiry, so no runner gets a dying one. */
  static final Duration TOKEN_MARGIN = Duration.ofMinutes(10);
  /** Repository runners have only the default group. */
  static final long DEFAULT_GROUP_ID = 1L;

  /** A config and, for JIT, the GitHub runner id it registered (else null). */
  public record Issued(RunnerConfig config, Long runnerId) {}

  private final PoolSettings pool;
  private final GitHubRunners github;
  private final Clock clock;
  private final Map<RunnerOwner, RegistrationToken> tokens = new ConcurrentHashMap<>();
  private final Map<RunnerOwner, Long> groupIds = new ConcurrentHashMap<>();

  public RunnerConfigs(PoolSettings pool, GitHubRunners github, Clock clock) {
    this.pool = pool;
    this.github = github;
    this.clock = clock;
  }

  /** Throws what the GitHub adapter throws (TransientFailure / PermanentFailure). */
  public Issued issue(RunnerOwner owner, String runnerName) {
    if (pool.jit()) {
      JitConfig jit = github.jitConfig(owner,
          new JitRequest(runnerName, pool.labels(), groupId(owner), null));
      return new Issued(RunnerConfig.jit(runnerName, jit.encodedJitConfig()), jit.runner().id());
    }
    RegistrationToken token = token(owner);
    return new Issued(RunnerConfig.registration(runnerName, url(owner), token.token(),
        String.join(",", pool.labels()), pool.runnerGroup(), pool.ephemeral()), null);
  }

  /** {@code https://github.com/acme} or {@code https://github.com/acme/api} (GHES: its web URL). */
  public String url(RunnerOwner owner) {
    return pool.github().webUrl() + "/" + owner;
  }

  private RegistrationToken token(RunnerOwner owner) {
    // compute() holds the owner's entry, so concurrent launches for one owner ask GitHub once.
    return tokens.compute(owner, (o, cached) -> cached != null
        && cached.expiresAt().minus(TOKEN_MARGIN).isAfter(clock.instant())
        ? cached : github.registrationToken(o));
  }

  private long groupId(RunnerOwner owner) {
    if (owner.isRepository()) {
      return DEFAULT_GROUP_ID;
    }
    return groupIds.computeIfAbsent(owner, o -> github.runnerGroupId(o, pool.runnerGroup()));
  }
}
