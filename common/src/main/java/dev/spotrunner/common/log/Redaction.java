package dev.spotrunner.common.log;

import java.util.regex.Pattern;

/**
 * The guard between values and log lines: masks anything shaped like a GitHub token, a JWT, a PEM
 * private key, an encoded JIT config or a runner registration token, so a secret never reaches a log
 * even when passed by mistake.
 */
public final class Redaction {
  public static final String MASK = "[redacted]";

  private static final Pattern SECRETS = Pattern.compile(String.join("|",
      // GitHub tokens: installation (ghs_), personal (ghp_), OAuth (gho_), user-to-server (ghu_), refresh (ghr_), fine-grained PAT
      "\\bgh[pousr]_[A-Za-z0-9_]{16,}",
      "\\bgithub_pat_[A-Za-z0-9_]{20,}",
      // JSON Web Tokens (GitHub App JWTs)
      "\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}",
      // PEM blocks, complete or cut
      "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)",
      // long base64 runs: encoded JIT configs, base64 PEMs
      "[A-Za-z0-9+/=_-]{60,}",
      // runner registration and removal tokens: 29 upper-case letters and digits as GitHub issues
      // them (a margin either side); a run of digits alone (an id) is left
      "\\b(?![0-9]+\\b)[A-Z0-9]{26,40}\\b",
      // webhook signatures
      "sha256=[0-9a-fA-F]{16,}"));

  private Redaction() {}

  public static String clean(String text) {
    if (text == null) {
      return null;
    }
    return SECRETS.matcher(text).replaceAll(MASK);
  }

  /** Cleans a value for a log field; {@link Secret}s are always masked whatever they hold. */
  public static Object cleanValue(Object value) {
    if (value == null || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Secret) {
      return MASK;
    }
    return clean(String.valueOf(value));
  }
}
