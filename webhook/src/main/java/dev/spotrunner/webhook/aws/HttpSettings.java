package dev.spotrunner.webhook.aws;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the small AWS client talks HTTP: timeouts, attempts per call and the pause before each retry.
 *
 * @param backoffs the pause before the second, third, … attempt, each jittered by ±50%; the last
 *     one repeats when there are more attempts than pauses
 */
public record HttpSettings(Duration connectTimeout, Duration readTimeout, int maxAttempts,
    List<Duration> backoffs) {
  /**
   * GitHub gives the webhook 10 s: 2 s to connect and 5 s to answer per attempt, three attempts
   * with about 25 ms and 100 ms between them. A hung SQS costs more than 10 s only if every
   * attempt hangs, which the SDK's defaults (much longer) would not have prevented either.
   */
  public static final HttpSettings DEFAULT = new HttpSettings(Duration.ofSeconds(2), Duration.ofSeconds(5),
      3, List.of(Duration.ofMillis(25), Duration.ofMillis(100)));

  public HttpSettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    backoffs = List.copyOf(backoffs);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (maxAttempts > 1 && backoffs.isEmpty()) {
      throw new IllegalArgumentException("retries need at least one backoff");
    }
  }

  public HttpSettings withMaxAttempts(int attempts) {
    return new HttpSettings(connectTimeout, readTimeout, attempts, backoffs);
  }

  public HttpSettings withTimeouts(Duration connect, Duration read) {
    return new HttpSettings(connect, read, maxAttempts, backoffs);
  }

  /** The pause before attempt {@code attempt} (2 = the first retry), before jitter. */
  Duration backoffBefore(int attempt) {
    return backoffs.get(Math.min(attempt - 2, backoffs.size() - 1));
  }
}
