package dev.spotrunner.testkit.github;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * One GitHub App of the stand-in: its id, its private keys (up to {@value #MAX_APP_KEYS} at once,
 * any of them signs valid JWTs) and its installations. Several Apps may be installed on one
 * account; each installation has its own id, its own tokens and its own secondary-limit budget.
 */
public final class StandInApp {
  static final int MAX_APP_KEYS = 25;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final long appId = 100_000 + RANDOM.nextInt(800_000);
  private final String caller;
  private final LongSupplier ids;
  private final List<AppKeys> keys = new CopyOnWriteArrayList<>();
  private final Map<String, Long> installations = new LinkedHashMap<>(); // login -> id

  StandInApp(boolean first, LongSupplier ids) {
    // the first App keeps the caller name "app" its counters have always had
    this.caller = first ? "app" : "app:" + appId;
    this.ids = ids;
    keys.add(AppKeys.generate());
  }

  public long appId() {
    return appId;
  }

  /** How the stand-in's counters name calls made with this App's JWT. */
  String caller() {
    return caller;
  }

  /** The App's newest private key (the one generated at start until {@link #rotateKey()}). */
  public AppKeys appKeys() {
    return keys.get(keys.size() - 1);
  }

  /**
   * Generates another private key for the App, as "Generate a private key" on GitHub does: the
   * older keys keep working until {@link #revokeKey} deletes them. Returns the new key.
   */
  public synchronized AppKeys rotateKey() {
    if (keys.size() >= MAX_APP_KEYS) {
      throw new IllegalStateException("an App holds at most " + MAX_APP_KEYS + " private keys");
    }
    AppKeys added = AppKeys.generate();
    keys.add(added);
    return added;
  }

  /** Deletes one of the App's keys: JWTs it signs are answered 401 from now on. */
  public synchronized void revokeKey(AppKeys key) {
    if (!keys.remove(key)) {
      throw new IllegalArgumentException("not a key of this App");
    }
  }

  /** Every key GitHub accepts for the App now, oldest first. */
  public List<AppKeys> acceptedKeys() {
    return List.copyOf(keys);
  }

  /** Installs the App on an account (organisation or user); returns the installation id. */
  public synchronized long install(String login) {
    return installations.computeIfAbsent(login, l -> ids.getAsLong());
  }

  public synchronized Optional<Long> installation(String login) {
    return Optional.ofNullable(installations.get(login));
  }

  /** Every installation: account login to installation id. */
  public synchronized Map<String, Long> installations() {
    return Map.copyOf(installations);
  }

  synchronized Optional<String> installationLogin(long id) {
    return installations.entrySet().stream().filter(e -> e.getValue() == id)
        .map(Map.Entry::getKey).findFirst();
  }
}
