package dev.spotrunner.common.github;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.parameters.Parameters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

/**
 * The App's id and private key as a JWT signer, read from their SSM parameters on first use (not
 * at construction, so nothing secret exists before a SnapStart snapshot) and read again, past any
 * cache, when GitHub refuses a JWT: a key rotated in SSM is then picked up by the first call that
 * needs it instead of when the container recycles.
 */
final class AppCredentials {
  private static final Log LOG = Log.of(AppCredentials.class);

  /** A signer and a digest of the key text it was made from (never the text itself). */
  record Signer(AppJwt jwt, byte[] keyDigest) {}

  private final Function<Boolean, Signer> read;
  private volatile Signer current;

  /** {@code read.apply(fresh)}: the signer from the parameters; {@code fresh} bypasses caches. */
  AppCredentials(Function<Boolean, Signer> read) {
    this.read = read;
  }

  static AppCredentials fromParameters(Parameters parameters, GitHubAppSettings settings,
      Clock clock) {
    return new AppCredentials(fresh -> {
      String id = parameter(parameters, settings.appIdParameter(), fresh).trim();
      String key = parameter(parameters, settings.privateKeyParameter(), fresh);
      return new Signer(new AppJwt(id, AppPrivateKey.parse(key), clock), digest(id + "\n" + key));
    });
  }

  /** The signer in use, read on first call. */
  Signer current() {
    Signer signer = current;
    if (signer == null) {
      synchronized (this) {
        if (current == null) {
          current = read.apply(false);
        }
        signer = current;
      }
    }
    return signer;
  }

  /**
   * After GitHub refused a JWT of {@code refused}: the key read again from its source, or empty
   * when the source still holds the refused key (a retry would be refused too). Callers refused
   * together share one read: whoever comes after it gets the signer it produced.
   */
  synchronized Optional<Signer> reread(Signer refused) {
    if (current != refused && current != null) {
      return Optional.of(current);
    }
    Signer fresh = read.apply(true);
    if (Arrays.equals(fresh.keyDigest(), refused.keyDigest())) {
      LOG.warn("github app key refused and unchanged in its parameter");
      return Optional.empty();
    }
    current = fresh;
    LOG.info("github app key read again after a refusal", entry("reason", "401"));
    return Optional.of(fresh);
  }

  private static String parameter(Parameters parameters, String name, boolean fresh) {
    Optional<String> value = fresh ? parameters.getFresh(name) : parameters.get(name);
    return value.orElseThrow(
        () -> new PermanentFailure("SSM parameter " + name + " does not exist"));
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
