package dev.spotrunner.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A runner pool as the webhook routes to it: {@code {name, labels, match, priority, queueUrl,
 * delaySeconds, default}} in the {@code POOLS} JSON list.
 */
public record PoolDefinition(
    String name,
    List<String> labels,
    Match match,
    int priority,
    String queueUrl,
    Integer delaySeconds,
    @com.fasterxml.jackson.annotation.JsonProperty("default") Boolean isDefault) {

  public enum Match {
    /** Every job label is among the pool's labels. */
    SUBSET,
    /** The job's labels and the pool's labels are the same set. */
    EXACT;

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Match parse(String text) {
      return Match.valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final int DEFAULT_DELAY_SECONDS = 30;
  private static final JsonFactory JSON = new JsonFactory();

  public PoolDefinition {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("pool name is required");
    }
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("pool '" + name + "' needs at least one label");
    }
    if (queueUrl == null || queueUrl.isBlank()) {
      throw new IllegalArgumentException("pool '" + name + "' needs a queueUrl");
    }
    labels = List.copyOf(labels);
    match = match == null ? Match.SUBSET : match;
    delaySeconds = delaySeconds == null ? DEFAULT_DELAY_SECONDS : delaySeconds;
    if (delaySeconds < 0 || delaySeconds > 900) {
      throw new IllegalArgumentException(
          "pool '" + name + "' delaySeconds must be 0-900, got " + delaySeconds);
    }
    isDefault = isDefault != null && isDefault;
  }

  /** The pool's labels, lower-cased, for case-insensitive matching. */
  @JsonIgnore
  public Set<String> normalisedLabels() {
    return labels.stream().map(l -> l.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  /**
   * Parses the {@code POOLS} JSON list with jackson-core's streaming parser (the webhook must not load
   * jackson-databind), accepting what the databind mapper accepted: unknown fields are ignored, a
   * repeated field's last value wins, scalars are coerced ({@code "5"} and {@code 5.9} are priority
   * 5), anything after the list is ignored.
   *
   * @throws IllegalArgumentException naming the pool and field that is wrong, and why
   */
  public static List<PoolDefinition> parseList(String json) {
    List<PoolDefinition> pools = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IllegalArgumentException("expected a JSON list of pools");
      }
      boolean anyNull = false;
      for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
        String path = "pools[" + pools.size() + "]";
        if (token == JsonToken.VALUE_NULL) {
          anyNull = true;
          pools.add(null);
        } else if (token == JsonToken.START_OBJECT) {
          pools.add(parseOne(p, path));
        } else {
          throw wrongType(path);
        }
      }
      if (anyNull) {
        throw new IllegalArgumentException("expected a JSON list of pools");
      }
      return pools;
    } catch (JacksonException e) {
      throw new IllegalArgumentException(e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable pools: " + e.getMessage());
    }
  }

  private static PoolDefinition parseOne(JsonParser p, String path) throws IOException {
    String name = null;
    List<String> labels = null;
    Match match = null;
    int priority = 0;
    String queueUrl = null;
    Integer delaySeconds = null;
    Boolean isDefault = null;
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      p.nextToken();
      String at = path + "." + field;
      switch (field) {
        case "name" -> name = text(p, at);
        case "labels" -> labels = textList(p, at);
        case "match" -> match = match(p, at);
        case "priority" -> {
          Integer value = integer(p, at);
          priority = value == null ? 0 : value;
        }
        case "queueUrl" -> queueUrl = text(p, at);
        case "delaySeconds" -> delaySeconds = integer(p, at);
        case "default" -> isDefault = bool(p, at);
        default -> p.skipChildren();
      }
    }
    try {
      return new PoolDefinition(name, labels, match, priority, queueUrl, delaySeconds, isDefault);
    } catch (NullPointerException e) {
      throw new IllegalArgumentException("pool '" + name + "' has a null label");
    }
  }

  private static IllegalArgumentException wrongType(String path) {
    return new IllegalArgumentException(path + " has the wrong type or value");
  }

  /** A string; a number or boolean as its JSON text. */
  private static String text(JsonParser p, String path) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
      case VALUE_NULL -> null;
      default -> throw wrongType(path);
    };
  }

  private static List<String> textList(JsonParser p, String path) throws IOException {
    switch (p.currentToken()) {
      case START_ARRAY -> { }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw wrongType(path);
    }
    List<String> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(text(p, path + "[" + list.size() + "]"));
    }
    return list;
  }

  private static Match match(JsonParser p, String path) throws IOException {
    String text = switch (p.currentToken()) {
      case VALUE_NULL -> null;
      case START_ARRAY, START_OBJECT -> throw wrongType(path);
      default -> p.getText();
    };
    if (text == null) {
      return null;
    }
    try {
      return Match.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + " must be subset or exact, got '" + text + "'");
    }
  }

  /** An integer; a float is cut to one, a string parsed; empty, blank or "null" text is null. */
  private static Integer integer(JsonParser p, String path) throws IOException {
    switch (p.currentToken()) {
      case VALUE_NULL -> {
        return null;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        try {
          return p.getIntValue();
        } catch (JacksonException e) {
          throw new IllegalArgumentException(path + " is out of range: " + p.getText());
        }
      }
      case VALUE_STRING -> {
        String text = p.getText().trim();
        if (text.isEmpty() || text.equals("null")) {
          return null;
        }
        try {
          return Integer.parseInt(text);
        } catch (NumberFormatException e) {
          throw wrongType(path);
        }
      }
      default -> throw wrongType(path);
    }
  }

  /** true/false; a non-zero integer is true; "true", "True", "TRUE" (and false alike) as text. */
  private static Boolean bool(JsonParser p, String path) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case VALUE_NUMBER_INT -> !(p.getText().equals("0") || p.getText().equals("-0"));
      case VALUE_STRING -> switch (p.getText().trim()) {
        case "", "null" -> null;
        case "true", "True", "TRUE" -> Boolean.TRUE;
        case "false", "False", "FALSE" -> Boolean.FALSE;
        default -> throw wrongType(path);
      };
      default -> throw wrongType(path);
    };
  }
}
