package dev.spotrunner.common.config;

import dev.spotrunner.common.log.Log;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads settings from environment variables and collects every problem before failing, so one
 * error names all missing or malformed variables. Only names declared in {@link LambdaVariable} may
 * be read, which keeps the Java side of the Terraform contract in one place.
 *
 * <pre>{@code
 * Env env = new Env(System.getenv());
 * String pool = env.required(LambdaVariable.POOL_NAME);
 * int max = env.integer(LambdaVariable.MAX_RUNNERS, 10, 0, 10_000);
 * env.check();   // throws SettingsException listing every problem
 * }</pre>
 */
public final class Env {
  private final Map<String, String> values;
  private final List<String> problems = new ArrayList<>();

  public Env(Map<String, String> values) {
    this.values = Objects.requireNonNull(values, "values");
    // LOG_LEVEL is every function's (modules/function sets it), read by Log before any settings:
    // a typo would log at INFO silently, so each function's settings error names it instead.
    try {
      Log.parseLevel(values.get("LOG_LEVEL"));
    } catch (IllegalArgumentException e) {
      problems.add("LOG_LEVEL " + e.getMessage());
    }
  }

  /** The raw value, trimmed, or null when unset or blank. */
  public String raw(LambdaVariable variable) {
    String value = values.get(variable.name());
    if (value == null || value.isBlank()) {
      return null;
    }
    return value.trim();
  }

  public String required(LambdaVariable variable) {
    String value = raw(variable);
    if (value == null) {
      problems.add(variable.name() + " is required");
      return "";
    }
    return value;
  }

  public String optional(LambdaVariable variable, String fallback) {
    String value = raw(variable);
    return value == null ? fallback : value;
  }

  public int integer(LambdaVariable variable, int fallback, int min, int max) {
    String value = raw(variable);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < min || parsed > max) {
        problems.add(variable.name() + " must be between " + min + " and " + max + ", got " + parsed);
        return fallback;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(variable.name() + " must be an integer, got '" + value + "'");
      return fallback;
    }
  }

  public long longValue(LambdaVariable variable, long fallback, long min, long max) {
    String value = raw(variable);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        problems.add(variable.name() + " must be between " + min + " and " + max + ", got " + parsed);
        return fallback;
      }
      return parsed;
    } catch (NumberFormatException e) {
      problems.add(variable.name() + " must be an integer, got '" + value + "'");
      return fallback;
    }
  }

  public boolean bool(LambdaVariable variable, boolean fallback) {
    String value = raw(variable);
    if (value == null) {
      return fallback;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> {
        problems.add(variable.name() + " must be true or false, got '" + value + "'");
        yield fallback;
      }
    };
  }

  /** Minutes as a duration, e.g. MINIMUM_RUNNING_TIME_MINUTES=5. */
  public Duration minutes(LambdaVariable variable, long fallbackMinutes, long min, long max) {
    return Duration.ofMinutes(longValue(variable, fallbackMinutes, min, max));
  }

  /** A comma-separated list; blanks are dropped. */
  public List<String> list(LambdaVariable variable, List<String> fallback) {
    String value = raw(variable);
    if (value == null) {
      return fallback;
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  public <E extends Enum<E>> E oneOf(LambdaVariable variable, Class<E> type, E fallback) {
    String value = raw(variable);
    if (value == null) {
      return fallback;
    }
    String normalised = value.toUpperCase(Locale.ROOT).replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(normalised)) {
        return constant;
      }
    }
    problems.add(variable.name() + " must be one of " + Arrays.toString(type.getEnumConstants())
        .toLowerCase(Locale.ROOT).replace('_', '-') + ", got '" + value + "'");
    return fallback;
  }

  /** Parses a value with a function; its exception message becomes the problem text. */
  public <T> T parsed(LambdaVariable variable, Function<String, T> parser, T fallback) {
    String value = raw(variable);
    if (value == null) {
      return fallback;
    }
    try {
      return parser.apply(value);
    } catch (RuntimeException e) {
      problems.add(variable.name() + " is malformed: " + e.getMessage());
      return fallback;
    }
  }

  /** Records a problem found by a cross-field check. */
  public void problem(String text) {
    problems.add(text);
  }

  /** Throws one {@link SettingsException} naming every problem seen so far. */
  public void check() {
    if (!problems.isEmpty()) {
      throw new SettingsException(problems);
    }
  }
}
