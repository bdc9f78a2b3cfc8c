package dev.spotrunner.runners.scaledown;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static ZonedDateTime at(String local) {
    return ZonedDateTime.of(java.time.LocalDateTime.parse(local), ZoneId.of("Europe/Berlin"));
  }

  @Test
  void matchesWorkingHoursOnWeekdays() {
    CronSchedule cron = CronSchedule.parse("* 8-17 * * mon-fri");
    assertTrue(cron.matches(at("2026-11-25T08:00")));
    assertTrue(cron.matches(at("2026-11-25T17:59")));
    assertFalse(cron.matches(at("2026-11-25T18:00")));
    assertFalse(cron.matches(at("2026-11-28T10:00")), "Saturday");
  }

  @Test
  void supportsStepsListsNamesAndSundayAsSeven() {
    CronSchedule cron = CronSchedule.parse("*/15 6,18 * JAN-MAR 7");
    assertTrue(cron.matches(at("2026-03-01T06:45")));
    assertFalse(cron.matches(at("2026-03-01T06:46")));
    assertFalse(cron.matches(at("2026-04-05T06:45")));
    assertTrue(CronSchedule.parse("5/20 * * * *").matches(at("2026-03-01T06:45")));
  }

  @Test
  void restrictedDayOfMonthAndDayOfWeekMatchEitherAsInClassicCron() {
    CronSchedule cron = CronSchedule.parse("0 12 1 * FRI");
    assertTrue(cron.matches(at("2026-12-01T12:00")), "the 1st, a Tuesday");
    assertTrue(cron.matches(at("2026-11-27T12:00")), "a Friday");
    assertFalse(cron.matches(at("2026-11-26T12:00")));
  }

  @Test
  void rejectsMalformedExpressionsNamingTheField() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * * *"))
        .getMessage().contains("5 fields"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("60 * * * *"))
        .getMessage().contains("minute 60"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* 9-5 * * *"))
        .getMessage().contains("backwards"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * * * FUNDAY"))
        .getMessage().contains("day-of-week"));
  }
}
