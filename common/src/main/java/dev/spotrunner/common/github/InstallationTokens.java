package dev.spotrunner.common.github;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Installation tokens kept in memory across invocations, per installation, until 5 minutes before
 * they expire (GitHub issues them for an hour), so a warm Lambda asks for one about every 55 min.
 */
public final class InstallationTokens {
  static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);

  private final Clock clock;
  private final LongFunction<InstallationToken> issue;
  private final Map<Long, InstallationToken> tokens = new ConcurrentHashMap<>();
  private final Map<Long, Object> locks = new ConcurrentHashMap<>();

  public InstallationTokens(Clock clock, LongFunction<InstallationToken> issue) {
    this.clock = clock;
    this.issue = issue;
  }

  public InstallationToken get(long installationId) {
    InstallationToken cached = tokens.get(installationId);
    if (fresh(cached)) {
      return cached;
    }
    // One request per installation even when many threads find the token stale at once.
    synchronized (locks.computeIfAbsent(installationId, id -> new Object())) {
      cached = tokens.get(installationId);
      if (fresh(cached)) {
        return cached;
      }
      InstallationToken token = issue.apply(installationId);
      tokens.put(installationId, token);
      return token;
    }
  }

  /** Drops a token GitHub refused (401), so the next call asks for a new one. */
  public void forget(long installationId, InstallationToken refused) {
    tokens.remove(installationId, refused);
  }

  private boolean fresh(InstallationToken token) {
    return token != null
        && clock.instant().isBefore(token.expiresAt().minus(REFRESH_BEFORE_EXPIRY));
  }
}
