package dev.spotrunner.common.log;

import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.argument.StructuredArguments;

/**
 * Structured JSON logging over Powertools: a fixed message, facts as fields, every value passed
 * through {@link Redaction}. Exceptions are logged as type and cleaned message, never raw.
 *
 * <pre>{@code log.info("runners launched", entry("pool", pool), entry("launched", 2));}</pre>
 */
public final class Log {
  private final Logger logger;

  private Log(Logger logger) {
    this.logger = logger;
  }

  public static Log of(Class<?> type) {
    return new Log(LoggerFactory.getLogger(type));
  }

  public record Entry(String key, Object value) {}

  public static Entry entry(String key, Object value) {
    return new Entry(key, value);
  }

  /** An entry describing a failure: its type and cleaned message (key "failure": Powertools reserves "error"). */
  public static Entry error(Throwable failure) {
    String message = failure.getMessage() == null ? "" : ": " + failure.getMessage();
    return new Entry("failure", failure.getClass().getSimpleName() + message);
  }

  public void debug(String message, Entry... entries) {
    if (logger.isDebugEnabled()) {
      logger.debug(Redaction.clean(message), arguments(entries));
    }
  }

  public void info(String message, Entry... entries) {
    if (logger.isInfoEnabled()) {
      logger.info(Redaction.clean(message), arguments(entries));
    }
  }

  public void warn(String message, Entry... entries) {
    logger.warn(Redaction.clean(message), arguments(entries));
  }

  public void error(String message, Entry... entries) {
    logger.error(Redaction.clean(message), arguments(entries));
  }

  private static Object[] arguments(Entry[] entries) {
    return Arrays.stream(entries)
        .map(e -> StructuredArguments.entry(e.key(), Redaction.cleanValue(e.value())))
        .toArray();
  }
}
