package dev.spotrunner.common.github;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.testkit.github.GitHubStandIn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale-up's GitHub calls under load, over several function containers at once: each container is
 * its own {@link GitHubRunners} (its own governor and token cache, as a Lambda container has) with
 * {@code threads} concurrent workers. A worker takes a queued job, checks it is still queued
 * ({@code GET} job, 1 point) and asks for a JIT runner ({@code POST}, 5 points). A call that fails
 * puts the job back at the end of the queue, as an SQS retry would: no job is lost.
 */
final class JitLoad {
  static final String ORG = "load";
  static final String REPO = "api";

  private final GitHubStandIn github;
  private final Clock clock;
  private final ConcurrentLinkedQueue<Long> queue = new ConcurrentLinkedQueue<>();
  private final List<Instant> launched = new CopyOnWriteArrayList<>();
  private final AtomicInteger retried = new AtomicInteger();
  private final AtomicLong nextJob = new AtomicLong(1);

  JitLoad(GitHubStandIn github, Clock clock) {
    this.github = github;
    this.clock = clock;
  }

  /** Queues {@code count} new jobs on the stand-in and in the queue. */
  void queue(int count) {
    for (int i = 0; i < count; i++) {
      long id = nextJob.getAndIncrement();
      github.addJob(ORG, REPO, id, List.of("self-hosted", "linux"));
      queue.add(id);
    }
  }

  /**
   * Runs the containers until {@code until} (clock time) or until the queue is empty and
   * {@code untilEmpty}; returns when every worker stopped.
   */
  void run(List<GitHubRunners> containers, int threads, Instant until, boolean untilEmpty)
      throws InterruptedException {
    List<Thread> workers = new ArrayList<>();
    for (GitHubRunners container : containers) {
      for (int t = 0; t < threads; t++) {
        workers.add(Thread.ofPlatform().start(() -> work(container, until, untilEmpty)));
      }
    }
    for (Thread worker : workers) {
      worker.join();
    }
  }

  private void work(GitHubRunners github, Instant until, boolean untilEmpty) {
    RunnerOwner repo = RunnerOwner.repo(ORG, REPO);
    RunnerOwner org = RunnerOwner.org(ORG);
    while (clock.instant().isBefore(until)) {
      Long job = queue.poll();
      if (job == null) {
        if (untilEmpty) {
          return;
        }
        queue(1); // steady load: there is always more work
        continue;
      }
      try {
        if (github.job(repo, job).map(j -> "queued".equals(j.status())).orElse(false)) {
          github.jitConfig(org, new JitRequest("load-" + job, List.of("self-hosted", "linux"), 1,
              "_work"));
        }
        launched.add(clock.instant());
      } catch (TransientFailure | dev.spotrunner.common.PermanentFailure e) {
        retried.incrementAndGet();
        queue.add(job); // back to the queue, never dropped
      }
    }
  }

  int launched() {
    return launched.size();
  }

  /** Runners launched between {@code from} and {@code to}, per minute. */
  double perMinute(Instant from, Instant to) {
    long count = launched.stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
    return count * 60_000.0 / Duration.between(from, to).toMillis();
  }

  int retried() {
    return retried.get();
  }

  int stillQueued() {
    return queue.size();
  }
}
