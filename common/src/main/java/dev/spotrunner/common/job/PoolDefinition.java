package dev.spotrunner.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
}
