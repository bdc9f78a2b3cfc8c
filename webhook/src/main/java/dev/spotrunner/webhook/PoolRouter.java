package dev.spotrunner.webhook;

import dev.spotrunner.common.job.PoolDefinition;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the pool for a job's labels. {@code subset}: every job label is among the pool's labels;
 * {@code exact}: both sets are equal; case-insensitive either way. The lowest priority number wins,
 * ties go to the pool listed first.
 */
public final class PoolRouter {
  private record Candidate(PoolDefinition pool, Set<String> labels) {}

  private final List<PoolDefinition> pools;
  private final List<Candidate> byPriority;

  public PoolRouter(List<PoolDefinition> pools) {
    if (pools.isEmpty()) {
      throw new IllegalArgumentException("at least one pool is required");
    }
    Set<String> names = new HashSet<>();
    for (PoolDefinition pool : pools) {
      if (!names.add(pool.name())) {
        throw new IllegalArgumentException("pool name '" + pool.name() + "' is used twice");
      }
    }
    if (pools.stream().filter(PoolDefinition::isDefault).count() > 1) {
      throw new IllegalArgumentException("at most one pool may be marked default");
    }
    this.pools = List.copyOf(pools);
    // List.sort is stable, so equal priorities keep their listed order.
    this.byPriority = this.pools.stream()
        .map(p -> new Candidate(p, p.normalisedLabels()))
        .sorted(Comparator.comparingInt(c -> c.pool().priority()))
        .toList();
  }

  /** Parses the {@code POOLS} JSON list; the message says which pool is wrong and why. */
  public static PoolRouter parse(String json) {
    return new PoolRouter(PoolDefinition.parseList(json));
  }

  public List<PoolDefinition> pools() {
    return pools;
  }

  /** The pool for these job labels; empty when none matches (e.g. {@code ubuntu-latest}). */
  public Optional<PoolDefinition> route(Collection<String> jobLabels) {
    if (jobLabels.isEmpty()) {
      return Optional.empty();
    }
    Set<String> wanted = new HashSet<>(Math.min(jobLabels.size(), 64) * 2);
    for (String label : jobLabels) {
      wanted.add(label.toLowerCase(Locale.ROOT));
    }
    for (Candidate candidate : byPriority) {
      boolean matches = candidate.pool().match() == PoolDefinition.Match.EXACT
          ? candidate.labels().equals(wanted)
          : candidate.labels().containsAll(wanted);
      if (matches) {
        return Optional.of(candidate.pool());
      }
    }
    return Optional.empty();
  }

  /** The pool marked {@code "default": true}, used by legacy {@code check_run} events. */
  public Optional<PoolDefinition> defaultPool() {
    return pools.stream().filter(PoolDefinition::isDefault).findFirst();
  }
}
