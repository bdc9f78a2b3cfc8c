package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.testkit.fakes.InMemoryRunnerFleet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Two scale-ups of one pool at once (the event source mapping runs two) never pass its maximum. */
class LaunchLockTest {
  private static final int MAX = 3;

  @Test
  void twoConcurrentScaleUpsNeverLaunchPastThePoolMaximum() throws Exception {
    Fixture first = new Fixture().set("MAX_RUNNERS", Integer.toString(MAX));
    Fixture second = new Fixture().set("MAX_RUNNERS", Integer.toString(MAX));
    InMemoryRunnerFleet shared = first.fleet;
    // both list the pool at the same moment when nothing holds them apart
    RunnerFleet racing = new RacingFleet(shared, new CyclicBarrier(2));
    LaunchLock lock = new InMemoryLock();
    first.fleetSeen(racing).lock = lock;
    second.fleetSeen(racing).lock = lock;
    ScaleUp a = first.scaleUp();
    ScaleUp b = second.scaleUp();

    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<BatchOutcome> one = threads.submit(() -> a.run(batch(1)));
      Future<BatchOutcome> two = threads.submit(() -> b.run(batch(11)));
      BatchOutcome x = one.get(10, TimeUnit.SECONDS);
      BatchOutcome y = two.get(10, TimeUnit.SECONDS);

      assertTrue(shared.all().size() <= MAX, "pool above its maximum: " + shared.all().size());
      assertEquals(MAX, x.launched() + y.launched());
      // every other job waits as a new message: none lost
      assertEquals(2 * MAX - MAX, first.returns.later.size() + second.returns.later.size());
      assertEquals(List.of(), x.retry());
      assertEquals(List.of(), y.retry());
    } finally {
      threads.shutdownNow();
    }
  }

  private static List<QueuedMessage> batch(long firstJob) {
    List<QueuedMessage> batch = new ArrayList<>();
    for (long id = firstJob; id < firstJob + MAX; id++) {
      batch.add(QueuedMessage.of("m" + id, 1, Fixture.job(id)));
    }
    return batch;
  }

  /** A lock as SSM's create-if-absent gives it. */
  private static final class InMemoryLock implements LaunchLock {
    private final AtomicReference<Object> holder = new AtomicReference<>();

    @Override
    public Optional<Held> tryAcquire() {
      Object me = new Object();
      return holder.compareAndSet(null, me)
          ? Optional.of(() -> holder.compareAndSet(me, null)) : Optional.empty();
    }
  }

  /** Lists after waiting (briefly) for the other scale-up to list too: the race, made certain. */
  private record RacingFleet(InMemoryRunnerFleet fleet, CyclicBarrier barrier)
      implements RunnerFleet {
    @Override
    public List<RunnerInstance> list(Map<String, String> tags) {
      try {
        barrier.await(300, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | BrokenBarrierException e) {
        // the other one did not come: it is held apart
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return fleet.list(tags);
    }

    @Override
    public LaunchOutcome launch(LaunchSpec spec) {
      return fleet.launch(spec);
    }

    @Override
    public void tag(InstanceId instance, Map<String, String> tags) {
      fleet.tag(instance, tags);
    }

    @Override
    public void terminate(Collection<InstanceId> instances) {
      fleet.terminate(instances);
    }

    @Override
    public List<RunnerInstance> interrupted(Map<String, String> tags) {
      return fleet.interrupted(tags);
    }

    @Override
    public Set<InstanceId> ended(Collection<InstanceId> ids) {
      return new HashSet<>(fleet.ended(ids));
    }
  }
}
