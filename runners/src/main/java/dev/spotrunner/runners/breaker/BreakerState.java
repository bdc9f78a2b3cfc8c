package dev.spotrunner.runners.breaker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The breakers of one pool, by key ({@code instance-type:m5.large}, {@code subnet:subnet-0abc}):
 * the interruptions still inside the window and, for a breaker that opened, when it stops being open
 * and when its probe ends. The phase follows from the two instants alone, so a reader (the launcher)
 * needs no thresholds. Stored as JSON in one SSM parameter per pool ({@link BreakerStore}).
 */
public record BreakerState(Map<String, Entry> entries) {
  public static final BreakerState EMPTY = new BreakerState(Map.of());

  /** {@code openUntil}/{@code probeUntil} null: the breaker never opened or closed again. */
  public record Entry(List<Instant> events, Instant openUntil, Instant probeUntil) {
    public static final Entry CLOSED = new Entry(List.of(), null, null);

    public Entry {
      events = List.copyOf(events);
    }

    public SpotBreaker.Phase phase(Instant now) {
      if (openUntil != null && now.isBefore(openUntil)) {
        return SpotBreaker.Phase.OPEN;
      }
      if (probeUntil != null && now.isBefore(probeUntil)) {
        return SpotBreaker.Phase.HALF_OPEN;
      }
      return SpotBreaker.Phase.CLOSED;
    }
  }

  public BreakerState {
    entries = Map.copyOf(entries);
  }

  public Entry entry(String key) {
    return entries.getOrDefault(key, Entry.CLOSED);
  }

  public SpotBreaker.Phase phase(String key, Instant now) {
    return entry(key).phase(now);
  }

  BreakerState with(String key, Entry entry) {
    Map<String, Entry> next = new TreeMap<>(entries);
    if (entry.events().isEmpty() && entry.openUntil() == null && entry.probeUntil() == null) {
      next.remove(key);
    } else {
      next.put(key, entry);
    }
    return new BreakerState(next);
  }

  public String toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode keys = root.putObject("breakers");
    new TreeMap<>(entries).forEach((key, entry) -> {
      ObjectNode node = keys.putObject(key);
      entry.events().forEach(at -> node.withArray("interruptions").add(at.toString()));
      if (entry.openUntil() != null) {
        node.put("open_until", entry.openUntil().toString());
      }
      if (entry.probeUntil() != null) {
        node.put("probe_until", entry.probeUntil().toString());
      }
    });
    return root.toString();
  }

  /** Parses {@link #toJson()}; throws IllegalArgumentException for anything else. */
  public static BreakerState parse(String json) {
    try {
      JsonNode root = Json.MAPPER.readTree(json);
      Map<String, Entry> entries = new TreeMap<>();
      var fields = root.path("breakers").fields();
      while (fields.hasNext()) {
        var field = fields.next();
        JsonNode node = field.getValue();
        List<Instant> events = new ArrayList<>();
        node.path("interruptions").forEach(at -> events.add(Instant.parse(at.asText())));
        entries.put(field.getKey(), new Entry(events, instant(node.path("open_until")),
            instant(node.path("probe_until"))));
      }
      return new BreakerState(entries);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("breaker state is not valid: " + e.getMessage(), e);
    }
  }

  private static Instant instant(JsonNode node) {
    return node.isTextual() ? Instant.parse(node.asText()) : null;
  }
}
