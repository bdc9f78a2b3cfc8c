package dev.spotrunner.common.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Structured JSON logging: one line per decision, a fixed message and facts as fields, every value
 * passed through {@link Redaction}. Exceptions are logged as type and cleaned message, never raw.
 *
 * <pre>{@code log.info("runners launched", entry("pool", pool), entry("launched", 2));}</pre>
 *
 * <p>Each line is written straight to stdout, where Lambda sends it to CloudWatch Logs, in the
 * field layout Powertools uses ({@code timestamp, level, message, service, function_request_id}),
 * so Logs Insights queries work the same. Log4j and Powertools logging were measured at about a
 * second of CPU on a cold start, more than the whole webhook budget; this writer costs nothing
 * beyond Jackson, which every Lambda loads anyway. The level comes from {@code LOG_LEVEL}.
 */
public final class Log {
  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR
  }

  // a plain factory, not the databind mapper's: the webhook must not load jackson-databind
  private static final JsonFactory FACTORY = new JsonFactory();
  // an unknown LOG_LEVEL logs at INFO until the function's settings fail on it (Env names it)
  private static volatile Level threshold = levelOrInfo(System.getenv("LOG_LEVEL"));
  private static volatile PrintStream out = System.out;
  private static volatile String service = System.getenv().getOrDefault("ENVIRONMENT", "spotrunner");
  private static final ThreadLocal<String> requestId = new ThreadLocal<>();
  private static final ThreadLocal<Map<String, Object>> fields = ThreadLocal.withInitial(LinkedHashMap::new);

  private final String logger;

  private Log(String logger) {
    this.logger = logger;
  }

  public static Log of(Class<?> type) {
    return new Log(type.getSimpleName());
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

  /** Sets the level for the whole JVM (tests, benchmarks, the simulator). */
  public static void setLevel(Level level) {
    threshold = level;
  }

  /** Where lines go (tests capture them). */
  public static void setOutput(PrintStream stream) {
    out = stream;
  }

  /**
   * The Lambda request id put on every line this thread writes until cleared with null. Starts a new
   * request: the fields set with {@link #field} for the previous one are dropped.
   */
  public static void requestId(String id) {
    fields.remove();
    if (id == null) {
      requestId.remove();
    } else {
      requestId.set(id);
    }
  }

  /** {@link #requestId(String)} from the invocation's context (none when the context is null, as in tests). */
  public static void request(com.amazonaws.services.lambda.runtime.Context context) {
    requestId(context == null ? null : context.getAwsRequestId());
  }

  /**
   * A fact put on every line this thread writes for the current request ({@code delivery_id},
   * {@code job_id}); null removes it. An entry of the same key on a line takes its place there.
   */
  public static void field(String key, Object value) {
    if (value == null) {
      fields.get().remove(key);
    } else {
      fields.get().put(key, value);
    }
  }

  /**
   * What this thread puts on every line (request id and {@link #field fields}), to carry into a task
   * another thread runs: a virtual thread of an executor starts with neither.
   *
   * <pre>{@code
   * Log.Context context = Log.context();
   * executor.submit(context.wrap(() -> prepare(slot)));
   * }</pre>
   */
  public static Context context() {
    return new Context(requestId.get(), new LinkedHashMap<>(fields.get()));
  }

  /** A thread's request id and fields, captured by {@link #context()}. */
  public static final class Context {
    private final String request;
    private final Map<String, Object> values;

    private Context(String request, Map<String, Object> values) {
      this.request = request;
      this.values = values;
    }

    /** The task with this context on its thread while it runs; the thread's own comes back after. */
    public <T> Supplier<T> wrap(Supplier<T> task) {
      return () -> {
        Context before = context();
        install();
        try {
          return task.get();
        } finally {
          before.install();
        }
      };
    }

    public Runnable wrap(Runnable task) {
      Supplier<Void> wrapped = wrap(() -> {
        task.run();
        return null;
      });
      return wrapped::get;
    }

    private void install() {
      if (request == null) {
        requestId.remove();
      } else {
        requestId.set(request);
      }
      fields.set(new LinkedHashMap<>(values));
    }
  }

  public boolean isDebugEnabled() {
    return threshold == Level.DEBUG;
  }

  public void debug(String message, Entry... entries) {
    write(Level.DEBUG, message, entries);
  }

  public void info(String message, Entry... entries) {
    write(Level.INFO, message, entries);
  }

  public void warn(String message, Entry... entries) {
    write(Level.WARN, message, entries);
  }

  public void error(String message, Entry... entries) {
    write(Level.ERROR, message, entries);
  }

  private void write(Level level, String message, Entry[] entries) {
    if (level.ordinal() < threshold.ordinal()) {
      return;
    }
    StringWriter line = new StringWriter(128);
    try (JsonGenerator json = FACTORY.createGenerator(line)) {
      json.writeStartObject();
      json.writeStringField("timestamp", Instant.now().toString());
      json.writeStringField("level", level.name());
      json.writeStringField("message", Redaction.clean(message));
      json.writeStringField("logger", logger);
      json.writeStringField("service", service);
      String request = requestId.get();
      if (request != null) {
        json.writeStringField("function_request_id", request);
      }
      for (Map.Entry<String, Object> field : fields.get().entrySet()) {
        if (!named(entries, field.getKey())) {
          writeField(json, field.getKey(), field.getValue());
        }
      }
      for (Entry entry : entries) {
        writeField(json, entry.key(), entry.value());
      }
      json.writeEndObject();
    } catch (IOException e) {
      return; // a StringWriter does not fail; never let logging break a handler
    }
    out.println(line);
  }

  private static boolean named(Entry[] entries, String key) {
    for (Entry entry : entries) {
      if (entry.key().equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static void writeField(JsonGenerator json, String key, Object raw) throws IOException {
    Object value = Redaction.cleanValue(raw);
    json.writeFieldName(key);
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Number number) {
      json.writeNumber(number.doubleValue());
    } else if (value instanceof Boolean bool) {
      json.writeBoolean(bool);
    } else {
      json.writeString(value.toString());
    }
  }

  /**
   * A {@code LOG_LEVEL} value: INFO when unset or blank, else one of the levels in any case.
   *
   * @throws IllegalArgumentException naming the levels, for any other text
   */
  public static Level parseLevel(String text) {
    if (text == null || text.isBlank()) {
      return Level.INFO;
    }
    try {
      return Level.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be one of DEBUG, INFO, WARN, ERROR, got '" + text.trim() + "'");
    }
  }

  private static Level levelOrInfo(String text) {
    try {
      return parseLevel(text);
    } catch (IllegalArgumentException e) {
      return Level.INFO;
    }
  }
}
