package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(40));

  @Test
  void doublesPerWaitUpToTheCap() {
    assertEquals(10, backoff.stepSeconds(1));
    assertEquals(20, backoff.stepSeconds(2));
    assertEquals(40, backoff.stepSeconds(3));
    assertEquals(40, backoff.stepSeconds(50));
  }

  @Test
  void staysWithinAboutHalfAStepToOneAndAHalfStepsPlusTheJitter() {
    Instant start = Instant.parse("2026-11-28T12:00:00Z");
    for (int second = 0; second < 200; second++) {
      for (int wait = 1; wait <= 5; wait++) {
        long step = backoff.stepSeconds(wait);
        long delay = backoff.delay(wait, start.plusSeconds(second), "linux").toSeconds();
        assertTrue(delay >= Math.max(1, step / 2 - 5) && delay <= step + step / 2 + 5,
            wait + ": " + delay);
      }
    }
  }

  @Test
  void bringsJobsWithDifferentWaitsBackTogether() {
    // an old job on its 3rd wait (step 40) and a job refused for the first time 25 s later: the
    // young one, coming back more often, is back at the very second the old one is
    for (int offset = 0; offset < 120; offset++) {
      Instant now = Instant.ofEpochSecond(1_000_000 + offset);
      Instant older = now.plus(backoff.delay(3, now, "linux"));
      Instant younger = now.plusSeconds(25);
      if (!younger.isBefore(older.minusSeconds(5))) {
        continue; // refused as the old one comes back: not waiting beside it
      }
      int wait = 1;
      while (younger.isBefore(older)) {
        younger = younger.plus(backoff.delay(wait++, younger, "linux"));
      }
      assertEquals(older, younger, "offset " + offset);
    }
  }

  @Test
  void refusesACapBelowTheBase() {
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(10)));
  }
}
