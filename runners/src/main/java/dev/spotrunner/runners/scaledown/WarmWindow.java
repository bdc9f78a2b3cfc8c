package dev.spotrunner.runners.scaledown;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A warm-runner window from {@code WARM_WINDOWS}: while {@code cron} matches the current minute in
 * {@code timeZone}, the pool keeps {@code idle} idle runners. {@code owner} (optional) says whom
 * missing warm runners register with; without it they are launched only when the pool has exactly
 * one known owner.
 */
public record WarmWindow(CronSchedule cron, ZoneId timeZone, int idle, RunnerOwner owner) {

  public WarmWindow {
    if (idle < 0) {
      throw new IllegalArgumentException("idle must not be negative, got " + idle);
    }
  }

  public boolean activeAt(Instant now) {
    return cron.matches(now.atZone(timeZone));
  }

  /** The idle count the windows ask for at {@code now}: the largest of the active ones, else 0. */
  public static int idleAt(List<WarmWindow> windows, Instant now) {
    return windows.stream().filter(w -> w.activeAt(now)).mapToInt(WarmWindow::idle).max().orElse(0);
  }

  /** The owner named by the active window asking for the most, or null. */
  public static RunnerOwner ownerAt(List<WarmWindow> windows, Instant now) {
    return windows.stream().filter(w -> w.activeAt(now))
        .max(java.util.Comparator.comparingInt(WarmWindow::idle))
        .map(WarmWindow::owner).orElse(null);
  }

  /** Parses the JSON list {@code [{"cron": "...", "timeZone": "Europe/Berlin", "idle": 2}]}. */
  public static List<WarmWindow> parseList(String json) {
    List<Map<String, Object>> raw;
    try {
      raw = Json.MAPPER.readValue(json, new TypeReference<List<Map<String, Object>>>() {});
    } catch (Exception e) {
      throw new IllegalArgumentException("must be a JSON list of {cron, timeZone, idle}");
    }
    List<WarmWindow> windows = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      Map<String, Object> item = raw.get(i);
      String where = "window " + i + ": ";
      if (item == null || !(item.get("cron") instanceof String cron)) {
        throw new IllegalArgumentException(where + "cron is required");
      }
      ZoneId zone;
      try {
        Object tz = item.get("timeZone");
        zone = tz == null ? ZoneId.of("UTC") : ZoneId.of(String.valueOf(tz));
      } catch (DateTimeException e) {
        throw new IllegalArgumentException(where + "unknown timeZone '" + item.get("timeZone") + "'");
      }
      if (!(item.get("idle") instanceof Integer idle) || idle < 0) {
        throw new IllegalArgumentException(where + "idle must be a whole number >= 0");
      }
      RunnerOwner owner;
      try {
        owner = item.get("owner") == null ? null : RunnerOwner.parse(String.valueOf(item.get("owner")));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage());
      }
      try {
        windows.add(new WarmWindow(CronSchedule.parse(cron), zone, idle, owner));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + e.getMessage());
      }
    }
    return List.copyOf(windows);
  }
}
