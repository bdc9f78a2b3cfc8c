package dev.spotrunner.local.lambda;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * One function's execution environments, as Lambda scales them: an invocation takes an idle
 * environment, or starts a new one (its own JVM, a cold start) while fewer than {@code concurrency}
 * exist; at the limit it waits for one to finish, as a throttled invocation is retried. Each
 * environment serves one invocation at a time.
 */
public final class FunctionPool implements Invoker, AutoCloseable {
  private static final Log log = Log.of(FunctionPool.class);

  /** One answered invocation: which environment (0 = the first started) ran it, from when to when. */
  public record Invocation(int environment, long pid, String requestId, Instant started, Instant ended,
      boolean failed) {}

  private final FunctionSpec spec;
  private final int concurrency;
  private final Path logDirectory;
  private final Clock clock;
  private final List<LambdaProcess> environments = new ArrayList<>();
  private final Deque<LambdaProcess> idle = new ArrayDeque<>();
  private boolean closed;

  /** @param concurrency at most this many environments, hence invocations at once */
  public FunctionPool(FunctionSpec spec, int concurrency, Path logDirectory, Clock clock) {
    if (concurrency < 1) {
      throw new IllegalArgumentException(spec.name() + ": concurrency must be at least 1, got " + concurrency);
    }
    this.spec = spec;
    this.concurrency = concurrency;
    this.logDirectory = logDirectory;
    this.clock = clock;
  }

  public FunctionSpec spec() {
    return spec;
  }

  /** The most invocations this function runs at once. */
  public int concurrency() {
    return concurrency;
  }

  /** Starts the first environment now (the stack warms every function at start). */
  public void start() throws IOException {
    LambdaProcess first;
    synchronized (this) {
      if (!environments.isEmpty()) {
        return;
      }
      first = newEnvironment();
      idle.add(first);
    }
    first.start();
  }

  @Override
  public InvocationResult invoke(String event) {
    LambdaProcess environment;
    try {
      environment = acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return InvocationResult.failure("-", "Runtime.Interrupted", "interrupted while waiting for an environment");
    } catch (IOException e) {
      return InvocationResult.failure("-", "Runtime.StartError", e.getMessage());
    }
    try {
      return environment.invoke(event);
    } finally {
      release(environment);
    }
  }

  private synchronized LambdaProcess acquire() throws InterruptedException, IOException {
    while (true) {
      if (closed) {
        throw new InterruptedException("function pool closed");
      }
      LambdaProcess ready = idle.pollFirst();
      if (ready != null) {
        return ready;
      }
      if (environments.size() < concurrency) {
        LambdaProcess fresh = newEnvironment();
        log.info("new execution environment", entry("function", spec.name()),
            entry("environments", environments.size()), entry("concurrency", concurrency));
        return fresh;
      }
      wait();
    }
  }

  private synchronized void release(LambdaProcess environment) {
    // The most recently used environment first, as Lambda reuses warm ones.
    idle.addFirst(environment);
    notifyAll();
  }

  private LambdaProcess newEnvironment() throws IOException {
    LambdaProcess environment = new LambdaProcess(spec, logDirectory, clock);
    environments.add(environment);
    return environment;
  }

  /** How many environments (JVMs) were started so far. */
  public synchronized int environments() {
    return environments.size();
  }

  /** Every answered invocation of every environment, by start time. */
  public List<Invocation> invocations() {
    List<LambdaProcess> all;
    synchronized (this) {
      all = List.copyOf(environments);
    }
    List<Invocation> invocations = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      LambdaProcess environment = all.get(i);
      for (RuntimeApi.Served served : environment.served()) {
        invocations.add(new Invocation(i, environment.pid(), served.requestId(), served.started(), served.ended(),
            served.failed()));
      }
    }
    invocations.sort(Comparator.comparing(Invocation::started));
    return invocations;
  }

  /** The most invocations that ran at the same time so far. */
  public int peakConcurrency() {
    return peakOverlap(invocations());
  }

  /** The most of these intervals open at one instant (an end at the same instant as a start does not overlap). */
  public static int peakOverlap(List<Invocation> invocations) {
    List<long[]> edges = new ArrayList<>();
    for (Invocation invocation : invocations) {
      edges.add(new long[] {invocation.started().toEpochMilli() * 2 + 1, 1});
      edges.add(new long[] {invocation.ended().toEpochMilli() * 2, -1});
    }
    edges.sort(Comparator.comparingLong(e -> e[0]));
    int open = 0;
    int peak = 0;
    for (long[] edge : edges) {
      open += (int) edge[1];
      peak = Math.max(peak, open);
    }
    return peak;
  }

  public List<LambdaProcess.ColdStart> coldStarts() {
    List<LambdaProcess> all;
    synchronized (this) {
      all = List.copyOf(environments);
    }
    List<LambdaProcess.ColdStart> colds = new ArrayList<>();
    all.forEach(e -> colds.addAll(e.coldStarts()));
    return colds;
  }

  @Override
  public void close() {
    List<LambdaProcess> all;
    synchronized (this) {
      closed = true;
      notifyAll();
      all = List.copyOf(environments);
    }
    all.forEach(LambdaProcess::close);
  }
}
