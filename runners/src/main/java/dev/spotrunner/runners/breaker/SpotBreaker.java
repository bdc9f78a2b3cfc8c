package dev.spotrunner.runners.breaker;

import dev.spotrunner.runners.breaker.BreakerState.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The spot circuit breaker as a pure state machine: the caller passes the state and the time in and
 * persists what comes out. Per key (an instance type or a subnet of one pool):
 *
 * <ul>
 *   <li>CLOSED: interruptions are counted within the window; one more than the threshold opens it.
 *   <li>OPEN for the cool-down: the launcher asks spot for everything else, or on-demand when
 *       nothing is left; interruptions of instances launched before it opened change nothing.
 *   <li>HALF_OPEN for one more window: spot is asked again (the probe); one interruption opens it
 *       again for a full cool-down; a quiet window closes it.
 * </ul>
 */
public final class SpotBreaker {
  public enum Phase { CLOSED, OPEN, HALF_OPEN }

  /** A breaker changed phase (logged and counted by the caller). */
  public record Change(String key, Phase from, Phase to, int interruptions) {}

  public record Result(BreakerState state, List<Change> changes) {
    public Result {
      changes = List.copyOf(changes);
    }
  }

  private final BreakerSettings settings;

  public SpotBreaker(BreakerSettings settings) {
    this.settings = settings;
  }

  /** One interruption of an instance of {@code key} at {@code at}. */
  public Result record(BreakerState state, String key, Instant at) {
    Result settled = settle(state, at);
    List<Change> changes = new ArrayList<>(settled.changes());
    Entry entry = settled.state().entry(key);
    Phase phase = entry.phase(at);
    if (!settings.enabled() || phase == Phase.OPEN) {
      // while open, the interruptions are of instances launched before it opened: no news
      return new Result(settled.state(), changes);
    }
    List<Instant> events = new ArrayList<>(inWindow(entry.events(), at));
    events.add(at);
    if (phase == Phase.HALF_OPEN || events.size() > settings.threshold()) {
      Instant openUntil = at.plus(settings.coolDown());
      changes.add(new Change(key, phase, Phase.OPEN, events.size()));
      return new Result(settled.state().with(key,
          new Entry(List.of(), openUntil, openUntil.plus(settings.window()))), changes);
    }
    return new Result(settled.state().with(key, new Entry(events, entry.openUntil(),
        entry.probeUntil())), changes);
  }

  /**
   * Moves every breaker on to {@code now}: an open one whose cool-down ended is half-open, a
   * half-open one whose probe window passed quietly is closed, old interruptions fall out.
   */
  public Result settle(BreakerState state, Instant now) {
    BreakerState next = state;
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<String, Entry> e : state.entries().entrySet()) {
      Entry entry = e.getValue();
      Phase phase = entry.phase(now);
      Entry settled = entry;
      if (phase == Phase.CLOSED && entry.probeUntil() != null) {
        changes.add(new Change(e.getKey(),
            entry.openUntil() != null ? Phase.OPEN : Phase.HALF_OPEN, Phase.CLOSED, 0));
        settled = new Entry(List.of(), null, null);
      } else if (phase == Phase.HALF_OPEN && entry.openUntil() != null) {
        changes.add(new Change(e.getKey(), Phase.OPEN, Phase.HALF_OPEN, 0));
        // openUntil is dropped so the change is reported once; probeUntil keeps the phase
        settled = new Entry(entry.events(), null, entry.probeUntil());
      }
      List<Instant> events = inWindow(settled.events(), now);
      if (!events.equals(settled.events())) {
        settled = new Entry(events, settled.openUntil(), settled.probeUntil());
      }
      if (settled != entry) {
        next = next.with(e.getKey(), settled);
      }
    }
    return new Result(next, changes);
  }

  private List<Instant> inWindow(List<Instant> events, Instant now) {
    Instant since = now.minus(settings.window());
    return events.stream().filter(at -> at.isAfter(since)).toList();
  }
}
