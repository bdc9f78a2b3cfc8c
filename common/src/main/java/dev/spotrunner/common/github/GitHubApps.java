package dev.spotrunner.common.github;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link GitHubRunners} over several GitHub Apps installed on the same accounts. Each App has its
 * own installations, tokens (cached per App) and {@link RequestGovernor}, so each installation
 * keeps its own 900 points a minute. Every call goes to the App whose installation on the owner
 * has the most points left; when that App is limited ({@link GitHubLimited}), its key is refused
 * ({@link AppKeyRefused}, after the re-read of the key) or it is not installed on the owner, the
 * call is made through the next App: with several Apps a secondary-limit answer fails the call
 * at once instead of waiting for its {@code retry-after}. An App whose key was refused is tried
 * last from then on, until a call through it succeeds again. With one App this is that App's
 * adapter, unchanged.
 */
public final class GitHubApps implements GitHubRunners {
  private static final Log LOG = Log.of(GitHubApps.class);

  private final List<GitHubRunners> apps;
  private final Set<Integer> refused = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<Integer>> notInstalled = new ConcurrentHashMap<>();

  GitHubApps(List<GitHubRunners> apps) {
    if (apps.isEmpty()) {
      throw new IllegalArgumentException("at least one App");
    }
    this.apps = List.copyOf(apps);
  }

  /**
   * The selection over ports that are each one App (the simulator's metered Apps): the port
   * itself when there is one. Each must fail a limited call with {@link GitHubLimited}.
   */
  public static GitHubRunners over(List<GitHubRunners> apps) {
    return apps.size() == 1 ? apps.get(0) : new GitHubApps(apps);
  }

  /** The runners port over the Apps of {@code settings}: the App itself when there is one. */
  public static GitHubRunners create(GitHubAppSettings settings, Parameters parameters,
      Clock clock, GovernorLimits limits, Sleeper sleeper) {
    boolean several = settings.apps().size() > 1;
    List<GitHubRunners> apps = new ArrayList<>();
    for (GitHubAppSettings.App app : settings.apps()) {
      apps.add(GitHubApp.create(settings.only(app), parameters, clock, limits, sleeper, several)
          .runners());
    }
    return apps.size() == 1 ? apps.get(0) : new GitHubApps(apps);
  }

  /** {@link GitHubAppSettings#readWithShare} from the environment; throws naming all problems. */
  public static GitHubRunners fromEnv(Env env, Parameters parameters, Clock clock) {
    GitHubAppSettings settings = GitHubAppSettings.readWithShare(env);
    env.check();
    return create(settings, parameters, clock, GovernorLimits.GITHUB, Sleeper.REAL);
  }

  /** A webhook's installation id belongs to one of the Apps, which one it does not say. */
  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    // each App finds its own installation on first use (one GET per owner and container)
  }

  @Override
  public int pointsLeft(RunnerOwner owner) {
    long sum = 0;
    for (int i = 0; i < apps.size(); i++) {
      if (usable(owner, i) && !refused.contains(i)) {
        try {
          sum += apps.get(i).pointsLeft(owner);
        } catch (AppKeyRefused e) {
          refused.add(i);
        } catch (NotInstalled e) {
          notInstalled(owner, i);
        }
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, sum);
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    return call(owner, "registration token", app -> app.registrationToken(owner));
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    return call(owner, "JIT config", app -> app.jitConfig(owner, request));
  }

  @Override
  public Optional<GitHubRunner> runnerNamed(RunnerOwner owner, String name) {
    return call(owner, "runner by name", app -> app.runnerNamed(owner, name));
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    return call(owner, "list runners", app -> app.listRunners(owner));
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    return call(owner, "get runner", app -> app.getRunner(owner, runnerId));
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    return call(owner, "delete runner", app -> app.deleteRunner(owner, runnerId));
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    return call(repository, "job", app -> app.job(repository, jobId));
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    return call(owner, "runner group", app -> app.runnerGroupId(owner, groupName));
  }

  @Override
  public Optional<JobOutcome> jobOutcome(RunnerOwner repository, long jobId) {
    return call(repository, "job outcome", app -> app.jobOutcome(repository, jobId));
  }

  @Override
  public RerunAnswer rerunJob(RunnerOwner repository, long jobId) {
    return call(repository, "re-run job", app -> app.rerunJob(repository, jobId));
  }

  /**
   * Makes the call through the App with the most points left on the owner, then the others; the
   * last failure when none could make it. Failures that another App would meet too (a 404, a 422,
   * a name taken) end the call at once.
   */
  private <T> T call(RunnerOwner owner, String what, Function<GitHubRunners, T> action) {
    RuntimeException last = null;
    for (int i : order(owner)) {
      try {
        T result = action.apply(apps.get(i));
        if (refused.remove(i)) {
          LOG.info("github app accepted again", entry("app", i));
        }
        return result;
      } catch (GitHubLimited e) {
        LOG.warn("github app limited, trying another", entry("app", i), entry("owner", owner),
            entry("request", what));
        last = e;
      } catch (AppKeyRefused e) {
        LOG.warn("github app key refused, trying another", entry("app", i),
            entry("owner", owner), entry("request", what));
        refused.add(i);
        last = e;
      } catch (NotInstalled e) {
        notInstalled(owner, i);
        last = e;
      }
    }
    if (last == null) {
      throw new PermanentFailure("GitHub App not installed on " + owner + ": none of the "
          + apps.size() + " Apps is");
    }
    throw last;
  }

  /** The Apps to try, most points left first, Apps with a refused key last. */
  private List<Integer> order(RunnerOwner owner) {
    List<Integer> order = new ArrayList<>();
    List<Integer> points = new ArrayList<>();
    for (int i = 0; i < apps.size(); i++) {
      int left = -1;
      try {
        left = refused.contains(i) || !usable(owner, i) ? -1 : apps.get(i).pointsLeft(owner);
      } catch (AppKeyRefused e) {
        refused.add(i);
      } catch (NotInstalled e) {
        notInstalled(owner, i);
      }
      points.add(left);
      if (usable(owner, i)) {
        order.add(i);
      }
    }
    order.sort(Comparator.comparingInt((Integer i) -> points.get(i)).reversed());
    return order;
  }

  private boolean usable(RunnerOwner owner, int app) {
    return !notInstalled.getOrDefault(owner.login(), Set.of()).contains(app);
  }

  private void notInstalled(RunnerOwner owner, int app) {
    notInstalled.computeIfAbsent(owner.login(), l -> ConcurrentHashMap.newKeySet()).add(app);
  }
}
