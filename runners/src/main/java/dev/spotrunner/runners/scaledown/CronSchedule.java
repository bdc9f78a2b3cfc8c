package dev.spotrunner.runners.scaledown;

import java.time.ZonedDateTime;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) used as a
 * window: it is "on" during every minute it matches. Fields take {@code *}, numbers, ranges
 * {@code a-b}, steps {@code *}{@code /n} or {@code a-b/n}, lists {@code a,b}, and the names
 * {@code JAN..DEC} and {@code SUN..SAT}; day-of-week 0 and 7 are both Sunday. As in classic cron,
 * when both day fields are restricted a day matches if either does.
 */
public final class CronSchedule {
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final String expression;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;

  private CronSchedule(String expression, String[] fields) {
    this.expression = expression;
    this.minutes = field("minute", fields[0], 0, 59, List.of(), 0);
    this.hours = field("hour", fields[1], 0, 23, List.of(), 0);
    this.daysOfMonth = field("day-of-month", fields[2], 1, 31, List.of(), 0);
    this.months = field("month", fields[3], 1, 12, MONTHS, 1);
    BitSet weekdays = field("day-of-week", fields[4], 0, 7, DAYS, 0);
    if (weekdays.get(7)) {
      weekdays.set(0);
    }
    this.daysOfWeek = weekdays;
    this.anyDayOfMonth = fields[2].startsWith("*");
    this.anyDayOfWeek = fields[4].startsWith("*");
  }

  /** Parses an expression; the exception message says which field is wrong and why. */
  public static CronSchedule parse(String expression) {
    Objects.requireNonNull(expression, "cron");
    String[] fields = expression.trim().split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("cron '" + expression
          + "' must have 5 fields (minute hour day-of-month month day-of-week), got " + fields.length);
    }
    return new CronSchedule(expression.trim(), fields);
  }

  /** True when the minute containing {@code time} (in its own zone) matches. */
  public boolean matches(ZonedDateTime time) {
    if (!minutes.get(time.getMinute()) || !hours.get(time.getHour())
        || !months.get(time.getMonthValue())) {
      return false;
    }
    boolean dayOfMonth = daysOfMonth.get(time.getDayOfMonth());
    boolean dayOfWeek = daysOfWeek.get(time.getDayOfWeek().getValue() % 7);
    if (anyDayOfMonth || anyDayOfWeek) {
      return dayOfMonth && dayOfWeek;
    }
    return dayOfMonth || dayOfWeek;
  }

  @Override
  public String toString() {
    return expression;
  }

  private static BitSet field(String name, String text, int min, int max, List<String> names,
      int firstName) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(name, part.substring(slash + 1), 1, max, List.of(), 0);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else {
        int dash = range.indexOf('-');
        if (dash > 0) {
          from = number(name, range.substring(0, dash), min, max, names, firstName);
          to = number(name, range.substring(dash + 1), min, max, names, firstName);
        } else {
          from = number(name, range, min, max, names, firstName);
          to = slash >= 0 ? max : from;
        }
      }
      if (from > to) {
        throw new IllegalArgumentException(name + " range '" + part + "' runs backwards");
      }
      for (int value = from; value <= to; value += step) {
        bits.set(value);
      }
    }
    return bits;
  }

  private static int number(String name, String text, int min, int max, List<String> names,
      int firstName) {
    int index = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (index >= 0) {
      return index + firstName;
    }
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + text + "' is not a number"
          + (names.isEmpty() ? "" : " or a name " + names));
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " " + value + " is outside " + min + "-" + max);
    }
    return value;
  }
}
