package dev.spotrunner.webhook;

import dev.spotrunner.common.log.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * GitHub's {@code X-Hub-Signature-256: sha256=<hex>}: HMAC-SHA256 of the raw body bytes. Several
 * secrets may be valid at once (current + previous) so the secret can be rotated without dropping
 * deliveries. Comparison is constant-time; the expected value never leaves this class.
 */
public final class Signature {
  public static final String HEADER = "x-hub-signature-256";
  private static final String PREFIX = "sha256=";
  private static final String ALGORITHM = "HmacSHA256";
  private static final int HEX_LENGTH = 64;

  private final List<SecretKeySpec> keys;
  // A Mac is not thread-safe and costs a provider lookup to create: one per thread and key.
  private final ThreadLocal<Mac[]> macs;

  public Signature(List<Secret> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one webhook secret is required");
    }
    this.keys = secrets.stream()
        .map(s -> new SecretKeySpec(s.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM))
        .toList();
    this.macs = ThreadLocal.withInitial(this::newMacs);
  }

  /** True when the header is a well-formed signature of the body under any configured secret. */
  public boolean matches(byte[] body, String header) {
    if (header == null || header.length() != PREFIX.length() + HEX_LENGTH
        || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header, PREFIX.length(), header.length());
    } catch (IllegalArgumentException e) {
      return false;
    }
    boolean matched = false;
    for (Mac mac : macs.get()) {
      // every key is tried, so the time taken does not tell which one matched
      matched |= MessageDigest.isEqual(mac.doFinal(body), given);
    }
    return matched;
  }

  /** The header value GitHub would send for this body and secret (tests, priming, tools). */
  public static String sign(byte[] body, Secret secret) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM));
      return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private Mac[] newMacs() {
    try {
      Mac[] result = new Mac[keys.size()];
      for (int i = 0; i < result.length; i++) {
        result[i] = Mac.getInstance(ALGORITHM);
        result[i].init(keys.get(i));
      }
      return result;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
