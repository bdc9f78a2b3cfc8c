package dev.spotrunner.webhook.aws;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for one region and service, over {@code javax.crypto} only.
 *
 * <p>{@link #signJsonPost} signs what an AWS JSON-protocol call sends: {@code content-type},
 * {@code host}, {@code x-amz-date}, {@code x-amz-target} and, with temporary credentials,
 * {@code x-amz-security-token}. {@link #authorization} signs any header set (the published test
 * vectors use other headers). The signing key — four HMACs — is derived once per day and secret
 * key and kept, so a warm request costs two SHA-256 digests and one HMAC.
 */
public final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The derived key for one date and secret; region and service are this signer's own. */
  private record SigningKey(String date, String secret, byte[] key) {}

  private final String region;
  private final String service;
  private volatile SigningKey cached;

  public SigV4(String region, String service) {
    this.region = Objects.requireNonNull(region, "region");
    this.service = Objects.requireNonNull(service, "service");
  }

  public String region() {
    return region;
  }

  public String service() {
    return service;
  }

  /** The headers a signed JSON-protocol POST carries, Authorization included, by their wire name. */
  public record Signed(String amzDate, String securityToken, String authorization) {}

  /**
   * Signs a POST of {@code body} to {@code path} on {@code host} ({@code host[:port]} as the Host
   * header carries it) with the given content type and {@code X-Amz-Target}.
   */
  public Signed signJsonPost(AwsCredentials credentials, String host, String path, String contentType,
      String target, byte[] body, Instant time) {
    String amzDate = amzDate(time);
    TreeMap<String, String> headers = new TreeMap<>();
    headers.put("content-type", contentType);
    headers.put("host", host);
    headers.put("x-amz-date", amzDate);
    headers.put("x-amz-target", target);
    if (credentials.sessionToken() != null) {
      headers.put("x-amz-security-token", credentials.sessionToken());
    }
    String authorization = authorization(credentials, "POST", path, "", headers, body, amzDate);
    return new Signed(amzDate, credentials.sessionToken(), authorization);
  }

  /**
   * The {@code Authorization} header value for a request whose signed headers are
   * {@code headers} (lower-case names; they must include {@code host} and {@code x-amz-date}).
   *
   * @param path the canonical URI path, already URI-encoded
   * @param query the canonical query string, already sorted and encoded ("" for none)
   */
  public String authorization(AwsCredentials credentials, String method, String path, String query,
      SortedMap<String, String> headers, byte[] body, String amzDate) {
    String date = amzDate.substring(0, 8);
    String toSign = stringToSign(amzDate, scope(date),
        canonicalRequest(method, path, query, headers, body));
    byte[] signature = hmac(signingKey(date, credentials.secretAccessKey()),
        toSign.getBytes(StandardCharsets.UTF_8));
    return ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope(date)
        + ", SignedHeaders=" + String.join(";", headers.keySet()) + ", Signature=" + hex(signature);
  }

  String scope(String date) {
    return date + "/" + region + "/" + service + "/aws4_request";
  }

  static String canonicalRequest(String method, String path, String query,
      SortedMap<String, String> headers, byte[] body) {
    StringBuilder canonical = new StringBuilder(256).append(method).append('\n')
        .append(path.isEmpty() ? "/" : path).append('\n')
        .append(query).append('\n');
    headers.forEach((k, v) -> canonical.append(k).append(':').append(trimAll(v)).append('\n'));
    return canonical.append('\n').append(String.join(";", headers.keySet())).append('\n')
        .append(hex(sha256(body))).toString();
  }

  static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC, without loading {@code DateTimeFormatter}. */
  public static String amzDate(Instant time) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, ZoneOffset.UTC);
    char[] out = new char[16];
    digits(out, 0, t.getYear(), 4);
    digits(out, 4, t.getMonthValue(), 2);
    digits(out, 6, t.getDayOfMonth(), 2);
    out[8] = 'T';
    digits(out, 9, t.getHour(), 2);
    digits(out, 11, t.getMinute(), 2);
    digits(out, 13, t.getSecond(), 2);
    out[15] = 'Z';
    return new String(out);
  }

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
  byte[] signingKey(String date, String secret) {
    SigningKey key = cached;
    if (key != null && key.date().equals(date) && key.secret().equals(secret)) {
      return key.key();
    }
    byte[] derived = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date.getBytes(StandardCharsets.UTF_8));
    derived = hmac(derived, region.getBytes(StandardCharsets.UTF_8));
    derived = hmac(derived, service.getBytes(StandardCharsets.UTF_8));
    derived = hmac(derived, "aws4_request".getBytes(StandardCharsets.UTF_8));
    cached = new SigningKey(date, secret, derived);
    return derived;
  }

  /** Trims a header value and folds runs of spaces into one, as the canonical form wants. */
  static String trimAll(String value) {
    String trimmed = value.strip();
    if (trimmed.indexOf("  ") < 0) {
      return trimmed;
    }
    StringBuilder out = new StringBuilder(trimmed.length());
    boolean space = false;
    for (int i = 0; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c == ' ') {
        if (!space) {
          out.append(c);
        }
        space = true;
      } else {
        out.append(c);
        space = false;
      }
    }
    return out.toString();
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
