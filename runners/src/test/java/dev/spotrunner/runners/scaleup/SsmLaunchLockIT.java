package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The SSM launch lock against moto: takeover of an expired lock by many contenders at once. */
@ExtendWith(AwsEmulatorExtension.class)
class SsmLaunchLockIT {
  private static final Duration LEASE = Duration.ofSeconds(120);
  private static final int CONTENDERS = 8;
  private static SsmClient ssm;

  private final Clock clock = Clock.systemUTC();

  @BeforeAll
  static void client(SsmClient client) {
    ssm = client;
  }

  private static String lockName() {
    return "/lockit/launch-locks/pool" + System.nanoTime();
  }

  private void put(String name, String value, boolean overwrite) {
    ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.STRING)
        .overwrite(overwrite));
  }

  private String expiredValue(String holder) {
    return holder + " " + clock.instant().minusSeconds(10).getEpochSecond();
  }

  @Test
  void contendersReachingAnExpiredLockAtTheSameInstantTakeItOnceOnly() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(CONTENDERS);
    try {
      for (int round = 0; round < 10; round++) {
        String name = lockName();
        put(name, expiredValue("dead-holder-" + round), false); // its holder died
        SsmLaunchLock lock = new SsmLaunchLock(ssm, name, LEASE, clock);
        CyclicBarrier start = new CyclicBarrier(CONTENDERS);
        List<Future<Optional<LaunchLock.Held>>> tries = new ArrayList<>();
        for (int i = 0; i < CONTENDERS; i++) {
          tries.add(threads.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            return lock.tryAcquire();
          }));
        }
        int holders = 0;
        for (Future<Optional<LaunchLock.Held>> attempt : tries) {
          holders += attempt.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
        }
        assertEquals(1, holders, "round " + round + ": holders of one lock at once");
        String value = ssm.getParameter(r -> r.name(name)).parameter().value();
        assertFalse(value.startsWith("dead-holder"), "taken over: " + value);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aTakeoverWinnerThatDiedBeforeFinishingIsTakenOverInTurn() {
    String name = lockName();
    put(name, expiredValue("dead-holder"), false);
    // the winner of that takeover died before overwriting the lock; its lease ran out too
    put(name + "/takeovers/hdead-holder", expiredValue("dead-winner"), false);
    SsmLaunchLock lock = new SsmLaunchLock(ssm, name, LEASE, clock);

    Optional<LaunchLock.Held> held = lock.tryAcquire();

    assertTrue(held.isPresent());
    assertTrue(lock.tryAcquire().isEmpty(), "held now");
    held.get().close();
    assertTrue(lock.tryAcquire().isPresent(), "released");
  }

  @Test
  void aLiveTakeoverWinnerKeepsOthersOut() {
    String name = lockName();
    put(name, expiredValue("dead-holder"), false);
    put(name + "/takeovers/hdead-holder",
        "live-winner " + clock.instant().plus(LEASE).getEpochSecond(), false);

    assertTrue(new SsmLaunchLock(ssm, name, LEASE, clock).tryAcquire().isEmpty());
  }

  @Test
  void keepsTheRecordOfRecentLaunchesBesideTheLock() {
    String name = lockName();
    SsmLaunchLock lock = new SsmLaunchLock(ssm, name, LEASE, clock);
    Instant at = Instant.ofEpochSecond(clock.instant().getEpochSecond());
    Map<InstanceId, Instant> launches = Map.of(new InstanceId("i-0123456789abcdef0"), at);

    try (LaunchLock.Held held = lock.tryAcquire().orElseThrow()) {
      assertEquals(Map.of(), held.launches());
      held.recordLaunches(launches);
    }
    try (LaunchLock.Held next = lock.tryAcquire().orElseThrow()) {
      assertEquals(launches, next.launches());
      next.recordLaunches(Map.of());
      assertEquals(Map.of(), next.launches());
    }
  }
}
