package dev.spotrunner.local.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory {@link GitHubSide} for the agents' unit tests; JIT configs are {@code jit:<labels>}. */
final class InMemoryGitHubSide implements GitHubSide {
  record Job(long id, String repository, List<String> labels, Duration runTime, String status, Long runner) {}

  record Runner(long id, String name, Set<String> labels, boolean ephemeral, boolean busy, boolean online) {}

  private final Map<Long, Job> jobs = new LinkedHashMap<>();
  private final Map<Long, Runner> runners = new LinkedHashMap<>();
  private final List<String> events = new ArrayList<>();
  private final Map<Long, String> conclusions = new LinkedHashMap<>();
  private final AtomicLong ids = new AtomicLong(100);

  @Override
  public synchronized long queueJob(String repository, List<String> labels, Duration runTime) {
    long id = ids.incrementAndGet();
    jobs.put(id, new Job(id, repository, labels, runTime, "queued", null));
    events.add("queued " + id);
    return id;
  }

  @Override
  public synchronized long registerJit(String encodedJitConfig) {
    String[] parts = encodedJitConfig.split(":", 2);
    return add("jit-runner", List.of(parts[1].split(",")), true);
  }

  @Override
  public synchronized long registerWithToken(String url, String token, String name, List<String> labels,
      boolean ephemeral) {
    if (!token.startsWith("REG")) {
      throw new IllegalStateException("bad registration token");
    }
    return add(name, labels, ephemeral);
  }

  private long add(String name, List<String> labels, boolean ephemeral) {
    long id = ids.incrementAndGet();
    Set<String> normalised = new HashSet<>();
    labels.forEach(l -> normalised.add(l.toLowerCase(Locale.ROOT)));
    runners.put(id, new Runner(id, name, normalised, ephemeral, false, true));
    events.add("registered " + id);
    return id;
  }

  @Override
  public synchronized Optional<AssignedJob> takeJob(long runnerId) {
    Runner runner = runners.get(runnerId);
    if (runner == null || runner.busy()) {
      return Optional.empty();
    }
    for (Job job : jobs.values()) {
      if (job.status().equals("queued") && job.labels().stream()
          .allMatch(l -> runner.labels().contains(l.toLowerCase(Locale.ROOT)))) {
        jobs.put(job.id(), new Job(job.id(), job.repository(), job.labels(), job.runTime(), "in_progress", runnerId));
        runners.put(runnerId, new Runner(runnerId, runner.name(), runner.labels(), runner.ephemeral(), true, true));
        events.add("in_progress " + job.id());
        return Optional.of(new AssignedJob(job.id(), job.repository(), job.labels(), job.runTime()));
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized void completeJob(long runnerId, long jobId, String conclusion) {
    Job job = jobs.get(jobId);
    jobs.put(jobId, new Job(jobId, job.repository(), job.labels(), job.runTime(), "completed", runnerId));
    conclusions.put(jobId, conclusion);
    Runner runner = runners.get(runnerId);
    if (runner.ephemeral()) {
      runners.remove(runnerId);
    } else {
      runners.put(runnerId, new Runner(runnerId, runner.name(), runner.labels(), false, false, true));
    }
    events.add("completed " + jobId);
  }

  @Override
  public synchronized void loseJob(long runnerId, long jobId) {
    Job job = jobs.get(jobId);
    jobs.put(jobId, new Job(jobId, job.repository(), job.labels(), job.runTime(), "failed", runnerId));
    runnerStopped(runnerId);
    events.add("lost " + jobId);
  }

  @Override
  public synchronized boolean runnerExists(long runnerId) {
    return runners.containsKey(runnerId);
  }

  @Override
  public synchronized void runnerStopped(long runnerId) {
    Runner runner = runners.get(runnerId);
    if (runner != null) {
      runners.put(runnerId, new Runner(runnerId, runner.name(), runner.labels(), runner.ephemeral(), false, false));
    }
  }

  synchronized void deleteRunner(long runnerId) {
    runners.remove(runnerId);
  }

  synchronized String status(long jobId) {
    return jobs.get(jobId).status();
  }

  synchronized String conclusion(long jobId) {
    return conclusions.get(jobId);
  }

  synchronized Map<Long, Runner> runners() {
    return Map.copyOf(runners);
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }
}
