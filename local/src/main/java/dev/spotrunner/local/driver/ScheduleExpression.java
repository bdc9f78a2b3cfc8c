package dev.spotrunner.local.driver;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An EventBridge rule's schedule expression, read back from the emulator: {@code rate(value unit)}
 * with unit minute(s), hour(s) or day(s) (singular exactly when the value is 1), or
 * {@code cron(minutes hours day-of-month month day-of-week year)} in UTC. Anything EventBridge
 * refuses is refused here too, so a schedule the local stack runs is one AWS would run. Cron fields
 * take {@code *}, numbers, ranges, steps, lists and month/day names; one of the two day fields must be
 * {@code ?}; day-of-week counts 1 = SUN … 7 = SAT. The special values {@code L}, {@code W} and
 * {@code #} are not supported (an error names them).
 *
 * @see <a href="https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html">schedule expressions</a>
 */
public final class ScheduleExpression {
  private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");
  private static final Pattern CRON = Pattern.compile("cron\\((.+)\\)");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final String expression;
  private final Duration rate;
  private final BitSet[] cron;
  private final boolean byDayOfMonth;

  private ScheduleExpression(String expression, Duration rate, BitSet[] cron, boolean byDayOfMonth) {
    this.expression = expression;
    this.rate = rate;
    this.cron = cron;
    this.byDayOfMonth = byDayOfMonth;
  }

  /** Parses an expression; the message of the exception says what EventBridge would refuse. */
  public static ScheduleExpression parse(String expression) {
    Objects.requireNonNull(expression, "schedule expression");
    Matcher rate = RATE.matcher(expression);
    if (rate.matches()) {
      long value = Long.parseLong(rate.group(1));
      String unit = rate.group(2);
      if (value < 1 || (value == 1) != !unit.endsWith("s")) {
        throw new IllegalArgumentException("'" + expression + "': the value must be positive, and the unit"
            + " singular exactly when the value is 1 (EventBridge)");
      }
      Duration period = switch (unit.replaceAll("s$", "")) {
        case "minute" -> Duration.ofMinutes(value);
        case "hour" -> Duration.ofHours(value);
        default -> Duration.ofDays(value);
      };
      return new ScheduleExpression(expression, period, null, false);
    }
    Matcher cron = CRON.matcher(expression);
    if (!cron.matches()) {
      throw new IllegalArgumentException("'" + expression + "' is neither rate(value unit) with unit"
          + " minute(s), hour(s) or day(s) nor cron(6 fields) (EventBridge)");
    }
    String[] fields = cron.group(1).trim().split("\\s+");
    if (fields.length != 6) {
      throw new IllegalArgumentException("'" + expression + "': cron needs 6 fields"
          + " (minutes hours day-of-month month day-of-week year), got " + fields.length);
    }
    boolean domAny = fields[2].equals("?");
    boolean dowAny = fields[4].equals("?");
    if (domAny == dowAny) {
      throw new IllegalArgumentException("'" + expression + "': exactly one of day-of-month and day-of-week"
          + " must be '?' (EventBridge)");
    }
    BitSet[] parsed = {
        field(expression, fields[0], 0, 59, List.of(), 0),
        field(expression, fields[1], 0, 23, List.of(), 0),
        domAny ? all(1, 31) : field(expression, fields[2], 1, 31, List.of(), 0),
        field(expression, fields[3], 1, 12, MONTHS, 1),
        dowAny ? all(1, 7) : field(expression, fields[4], 1, 7, DAYS, 1),
        field(expression, fields[5], 1970, 2199, List.of(), 0),
    };
    return new ScheduleExpression(expression, null, parsed, !domAny);
  }

  private static BitSet all(int from, int to) {
    BitSet bits = new BitSet();
    bits.set(from, to + 1);
    return bits;
  }

  private static BitSet field(String expression, String text, int min, int max, List<String> names, int nameBase) {
    BitSet bits = new BitSet();
    for (String part : text.split(",")) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(expression, part.substring(slash + 1), names, nameBase);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", 2);
        from = number(expression, ends[0], names, nameBase);
        to = number(expression, ends[1], names, nameBase);
      } else {
        from = number(expression, range, names, nameBase);
        to = slash >= 0 ? max : from;
      }
      if (from < min || to > max || from > to || step < 1) {
        throw new IllegalArgumentException("'" + expression + "': '" + part + "' is outside " + min + "-" + max);
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String expression, String text, List<String> names, int nameBase) {
    int named = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return named + nameBase;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + expression + "': '" + text + "' is not supported here"
          + " (numbers, names, *, ?, ranges, steps and lists are)");
    }
  }

  /**
   * The first time the rule fires strictly after {@code after}: a rate rule fires a period after it
   * was created ({@code created}) and every period from then on; a cron rule at each matching minute.
   */
  public Instant nextAfter(Instant created, Instant after) {
    if (rate != null) {
      long periods = Math.max(0, Duration.between(created, after).toMillis() / rate.toMillis()) + 1;
      return created.plus(rate.multipliedBy(periods));
    }
    ZonedDateTime t = after.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime limit = t.plusYears(5);
    while (t.isBefore(limit)) {
      if (matches(t)) {
        return t.toInstant();
      }
      t = t.plusMinutes(1);
    }
    throw new IllegalStateException("'" + expression + "' does not fire within five years");
  }

  private boolean matches(ZonedDateTime t) {
    int dayOfWeek = t.getDayOfWeek() == DayOfWeek.SUNDAY ? 1 : t.getDayOfWeek().getValue() + 1;
    boolean day = byDayOfMonth ? cron[2].get(t.getDayOfMonth()) : cron[4].get(dayOfWeek);
    return cron[0].get(t.getMinute()) && cron[1].get(t.getHour()) && day
        && cron[3].get(t.getMonthValue()) && cron[5].get(t.getYear());
  }

  /** The period of a rate expression, or null for cron. */
  public Duration rate() {
    return rate;
  }

  @Override
  public String toString() {
    return expression;
  }
}
