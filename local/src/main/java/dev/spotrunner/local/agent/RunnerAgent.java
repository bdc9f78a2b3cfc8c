package dev.spotrunner.local.agent;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.log.Log;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One simulated runner machine. After its boot time it does what the start script does: waits for
 * its SSM config, reads and deletes it, registers the runner (JIT config or registration token),
 * then runs jobs GitHub gives it. An ephemeral runner shuts its instance down after one job; any
 * runner stops when its instance is terminated or GitHub no longer knows it. A machine chosen to
 * fail to boot ({@link RunnerAgents#failToBoot}) shuts its instance down instead, as a start script
 * that gives up does. A machine spot reclaims ({@link RunnerAgents#reclaim}) is warned, and when its
 * notice is up its runner gets the shutdown signal: the job fails, the runner stays registered
 * offline, and the instance is terminated.
 */
public final class RunnerAgent {
  private static final Log log = Log.of(RunnerAgent.class);

  public enum State { BOOTING, CONFIGURING, IDLE, BUSY, STOPPED }

  /**
   * What happened to one instance; {@code interruptedJobs} (lost to a termination nobody announced)
   * must stay empty; {@code reclaimedJobs} were lost to a spot reclaim after its warning.
   */
  public record Report(InstanceId instance, String pool, State state, Instant seenAt, Long runnerId,
      List<Long> jobsDone, List<Long> interruptedJobs, String outcome, Instant endedAt,
      List<Long> reclaimedJobs) {}

  private final RunnerInstance instance;
  private final RunnerAgents host;
  private final Instant seenAt;
  private final List<Long> jobsDone = new ArrayList<>();
  private final List<Long> interrupted = new ArrayList<>();
  private final List<Long> reclaimed = new ArrayList<>();
  /** When spot terminates this machine, once warned. */
  private volatile Instant reclaimAt;
  private volatile GitHubSide.AssignedJob current;
  private volatile Instant currentEndsAt;
  private volatile State state = State.BOOTING;
  private volatile Long runnerId;
  private volatile String outcome = "";
  private volatile Instant endedAt;

  RunnerAgent(RunnerInstance instance, RunnerAgents host, Instant seenAt) {
    this.instance = instance;
    this.host = host;
    this.seenAt = seenAt;
  }

  public synchronized Report report() {
    return new Report(instance.id(), instance.tag(Tags.POOL), state, seenAt, runnerId,
        List.copyOf(jobsDone), List.copyOf(interrupted), outcome, endedAt, List.copyOf(reclaimed));
  }

  /** The job this machine runs and has at least {@code notice} left of, if any. */
  synchronized Optional<GitHubSide.AssignedJob> jobOutlasting(Duration notice, Instant now) {
    GitHubSide.AssignedJob job = current;
    Instant ends = currentEndsAt;
    if (state != State.BUSY || job == null || ends == null || reclaimAt != null
        || !ends.isAfter(now.plus(notice))) {
      return Optional.empty();
    }
    return Optional.of(job);
  }

  /** Spot's warning: the machine is terminated at {@code at}. */
  void warn(Instant at) {
    reclaimAt = at;
  }

  Long runnerId() {
    return runnerId;
  }

  InstanceId instance() {
    return instance.id();
  }

  private boolean reclaimDue() {
    Instant at = reclaimAt;
    return at != null && !host.clock().instant().isBefore(at);
  }

  /**
   * The notice is up: the OS's shutdown signals the runner, which stops; GitHub fails a job it ran
   * and keeps the runner offline; EC2 terminates the instance.
   */
  private void reclaimed(GitHubSide.AssignedJob job) {
    if (job != null) {
      host.github().loseJob(runnerId, job.jobId());
      synchronized (this) {
        reclaimed.add(job.jobId());
      }
    } else if (runnerId != null) {
      host.github().runnerStopped(runnerId);
    }
    log.warn("spot reclaimed the instance", entry("instance", instance.id()),
        entry("job_id", job == null ? null : job.jobId()));
    host.fleet().terminate(List.of(instance.id()));
    host.reclaimDone(instance.id(), host.clock().instant());
    stop("reclaimed by spot");
  }

  void run() {
    try {
      host.sleep(host.settings().bootTime());
      if (!host.alive(instance.id())) {
        stop("terminated while booting");
        return;
      }
      if (host.bootFails(instance.id())) {
        log.warn("start script failed, shutting down", entry("instance", instance.id()));
        shutDown("failed to boot");
        return;
      }
      state = State.CONFIGURING;
      Optional<RunnerConfig> config = readConfig();
      if (config.isEmpty()) {
        return;
      }
      register(config.get());
      serve(config.get());
    } catch (RuntimeException e) {
      log.warn("runner agent failed", entry("instance", instance.id()), Log.error(e));
      stop("failed: " + e.getClass().getSimpleName());
    }
  }

  private Optional<RunnerConfig> readConfig() {
    String pool = instance.tag(Tags.POOL);
    String name = host.settings().configPathOf().apply(pool) + "/" + pool + "/" + instance.id();
    Instant giveUp = host.clock().instant().plus(host.settings().configTimeout());
    while (host.alive(instance.id())) {
      Optional<String> value = host.parameters().get(name);
      if (value.isPresent()) {
        // The start script deletes its config at once: the secret lives only in the runner's memory.
        host.parameters().delete(name);
        return Optional.of(RunnerConfig.parse(value.get()));
      }
      if (host.clock().instant().isAfter(giveUp)) {
        log.warn("no runner config, shutting down", entry("instance", instance.id()), entry("parameter", name));
        shutDown("no config");
        return Optional.empty();
      }
      host.sleep(host.settings().poll());
    }
    stop("terminated before its config arrived");
    return Optional.empty();
  }

  private void register(RunnerConfig config) {
    long id = config.jit()
        ? host.github().registerJit(config.jitConfig().reveal())
        : host.github().registerWithToken(config.url(), config.token().reveal(), config.runnerName(),
            config.labels(), config.ephemeral());
    runnerId = id;
    state = State.IDLE;
    log.info("runner registered", entry("instance", instance.id()), entry("runner_id", id),
        entry("mode", config.mode()));
  }

  private void serve(RunnerConfig config) {
    while (true) {
      if (reclaimDue()) {
        reclaimed(null);
        return;
      }
      if (!host.alive(instance.id())) {
        host.github().runnerStopped(runnerId);
        stop("terminated while idle");
        return;
      }
      if (!host.github().runnerExists(runnerId)) {
        // Deregistered (scale-down): the runner process exits; the instance waits to be terminated.
        stop("deregistered");
        return;
      }
      Optional<GitHubSide.AssignedJob> job = host.github().takeJob(runnerId);
      if (job.isEmpty()) {
        host.sleep(host.settings().poll());
        continue;
      }
      if (!runJob(job.get())) {
        return;
      }
      if (config.ephemeral()) {
        shutDown("job done");
        return;
      }
      state = State.IDLE;
    }
  }

  private boolean runJob(GitHubSide.AssignedJob job) {
    state = State.BUSY;
    log.info("job started", entry("instance", instance.id()), entry("job_id", job.jobId()));
    Instant done = host.clock().instant().plus(job.runTime());
    synchronized (this) {
      current = job;
      currentEndsAt = done;
    }
    while (host.clock().instant().isBefore(done)) {
      if (reclaimDue()) {
        reclaimed(job);
        return false;
      }
      if (!host.alive(instance.id())) {
        synchronized (this) {
          interrupted.add(job.jobId());
        }
        log.error("busy runner lost its instance", entry("instance", instance.id()),
            entry("job_id", job.jobId()));
        host.github().runnerStopped(runnerId);
        stop("terminated while busy");
        return false;
      }
      host.sleep(host.settings().poll());
    }
    // A workflow that fails on its own (RunnerAgents#failJob) fails here, on a healthy machine.
    host.github().completeJob(runnerId, job.jobId(), host.failsOnItsOwn(job.jobId()) ? "failure" : "success");
    synchronized (this) {
      jobsDone.add(job.jobId());
      current = null;
      currentEndsAt = null;
    }
    log.info("job completed", entry("instance", instance.id()), entry("job_id", job.jobId()));
    return true;
  }

  /** What the start script's {@code shutdown -h now} does with terminate-on-shutdown. */
  private void shutDown(String why) {
    host.fleet().terminate(List.of(instance.id()));
    stop(why);
  }

  private void stop(String why) {
    outcome = why;
    state = State.STOPPED;
    endedAt = host.clock().instant();
  }
}
