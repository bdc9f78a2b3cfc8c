package dev.spotrunner.runners.launch;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.github.DeleteResult;
import dev.spotrunner.common.github.GitHubRunner;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.JitConfig;
import dev.spotrunner.common.github.JitRequest;
import dev.spotrunner.common.github.RegistrationToken;
import dev.spotrunner.common.github.RunnerNameTaken;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.ParameterOwner;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.runners.pool.PoolSettings;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Makes the config one runner starts with: a JIT config (one GitHub call per runner) or a
 * registration token shared by every runner of an owner until shortly before it expires, so a
 * persistent pool spends one GitHub call per hour per owner, not one per runner. A JIT call GitHub
 * refuses with 409 (the name is registered: an earlier attempt's answer was lost) removes that
 * ghost runner and asks again under a fresh name, at most {@value #MAX_JIT_ATTEMPTS} calls.
 *
 * <p>Each config is stored for its instance alone ({@link #store}): tagged {@value #INSTANCE_TAG}
 * with the instance's ARN, which the runner role's IAM condition compares with {@code
 * ${ec2:SourceInstanceARN}}, and encrypted with the configured KMS key (docs/security.md).
 */
public final class RunnerConfigs {
  private static final Log log = Log.of(RunnerConfigs.class);
  /** Repository runners have only the default group. */
  static final long DEFAULT_GROUP_ID = 1L;

  /**
   * JIT calls per runner at most: the first, and fresh names after GitHub answered 409 because an
   * earlier attempt registered the name but its answer was lost.
   */
  static final int MAX_JIT_ATTEMPTS = 3;

  /**
   * A config, the name the runner registers under (the requested one, or with a {@code -2}/{@code -3}
   * suffix after a 409) and, for JIT, the GitHub runner id it registered (else null).
   */
  public record Issued(RunnerConfig config, Long runnerId, String runnerName) {}

  private final PoolSettings pool;
  private final GitHubRunners github;
  private final Clock clock;
  private final Map<RunnerOwner, RegistrationToken> tokens = new ConcurrentHashMap<>();
  private final Map<RunnerOwner, Long> groupIds = new ConcurrentHashMap<>();
  private final Supplier<Optional<String>> functionArn;
  private final String kmsKeyId;

  /** Tag on a runner config naming the one instance that may read and delete it. */
  public static final String INSTANCE_TAG = Tags.CONFIG_INSTANCE;

  /** Configs stored without an instance tag (no function ARN: unit tests, the simulator). */
  public RunnerConfigs(PoolSettings pool, GitHubRunners github, Clock clock) {
    this(pool, github, clock, Optional::empty, null);
  }

  /**
   * @param functionArn the ARN scale-up runs as ({@link InvokedFunction#arn}): instance ARNs are
   *     made in its partition, Region and account
   * @param kmsKeyId the key runner configs are encrypted with; null: the account's SSM key
   */
  public RunnerConfigs(PoolSettings pool, GitHubRunners github, Clock clock,
      Supplier<Optional<String>> functionArn, String kmsKeyId) {
    this.pool = pool;
    this.github = github;
    this.clock = clock;
    this.functionArn = functionArn;
    this.kmsKeyId = kmsKeyId;
  }

  /**
   * Stores an instance's config so that only that instance can read it: created with its ARN as
   * tag and the KMS key, never overwriting another instance's config ({@link
   * Parameters#putSecure(String, String, ParameterOwner)}). While the function ARN is unknown (no
   * Lambda context: tests and tools that call the wiring directly) the config is written without
   * a tag; IAM then lets no runner read it, so this never widens a runner's reach.
   */
  public void store(Parameters parameters, String parameter, InstanceId instance,
      RunnerConfig config) {
    Optional<ParameterOwner> owner = functionArn.get()
        .flatMap(arn -> InvokedFunction.instanceArn(arn, instance))
        .map(arn -> new ParameterOwner(INSTANCE_TAG, arn, kmsKeyId));
    if (owner.isPresent()) {
      parameters.putSecure(parameter, config.toJson(), owner.get());
    } else {
      parameters.putSecure(parameter, config.toJson());
    }
  }

  /**
   * Looks up what every runner of the owner shares (the runner group's id for JIT, else the
   * registration token), so that a launch finds out it cannot make configs before it starts
   * instances. Throws what the GitHub adapter throws.
   */
  public void prepareOwner(RunnerOwner owner) {
    if (pool.jit()) {
      groupId(owner);
    } else {
      token(owner);
    }
  }

  /** Throws what the GitHub adapter throws (TransientFailure / PermanentFailure). */
  public Issued issue(RunnerOwner owner, String runnerName) {
    if (!pool.jit()) {
      RegistrationToken token = token(owner);
      return new Issued(RunnerConfig.registration(runnerName, url(owner), token.token(),
          String.join(",", pool.labels()), pool.runnerGroup(), pool.ephemeral()), null, runnerName);
    }
    long groupId = groupId(owner);
    String name = runnerName;
    for (int attempt = 1; ; attempt++) {
      try {
        JitConfig jit = github.jitConfig(owner, new JitRequest(name, pool.labels(), groupId, null));
        return new Issued(RunnerConfig.jit(name, jit.encodedJitConfig()), jit.runner().id(), name);
      } catch (RunnerNameTaken taken) {
        removeGhost(owner, name);
        if (attempt >= MAX_JIT_ATTEMPTS) {
          throw taken;
        }
        // a fresh name: GitHub may still hold a just-deleted one, and it keeps the instance id
        name = runnerName + "-" + (attempt + 1);
      }
    }
  }

  /**
   * The runner holding a name made from a just-launched instance's id is one an earlier attempt of
   * ours registered while its answer was lost: no machine will ever start it. A busy or online one
   * is left alone (a runner doing work is never touched); scale-down decides about it.
   */
  private void removeGhost(RunnerOwner owner, String name) {
    Optional<GitHubRunner> ghost = github.runnerNamed(owner, name);
    if (ghost.isEmpty()) {
      log.info("jit runner name taken, no runner found by it", entry("owner", owner),
          entry("runner_name", name));
      return;
    }
    GitHubRunner runner = ghost.get();
    if (runner.busy() || runner.online()) {
      log.warn("jit runner name taken by a live runner, kept", entry("owner", owner),
          entry("runner_name", name), entry("runner_id", runner.id()));
      return;
    }
    DeleteResult result = github.deleteRunner(owner, runner.id());
    log.info("ghost jit runner removed", entry("owner", owner), entry("runner_name", name),
        entry("runner_id", runner.id()), entry("result", result));
  }

  /** {@code https://github.com/acme} or {@code https://github.com/acme/api} (GHES: its web URL). */
  public String url(RunnerOwner owner) {
    return pool.github().webUrl() + "/" + owner;
  }

  private RegistrationToken token(RunnerOwner owner) {
    // compute() holds the owner's entry, so concurrent launches for one owner ask GitHub once.
    // Replaced RegistrationToken.RENEW_BEFORE_EXPIRY before GitHub's expiry, as the client's cache.
    return tokens.compute(owner, (o, cached) -> cached != null && cached.usableAt(clock.instant())
        ? cached : github.registrationToken(o));
  }

  private long groupId(RunnerOwner owner) {
    if (owner.isRepository()) {
      return DEFAULT_GROUP_ID;
    }
    return groupIds.computeIfAbsent(owner, o -> github.runnerGroupId(o, pool.runnerGroup()));
  }
}
