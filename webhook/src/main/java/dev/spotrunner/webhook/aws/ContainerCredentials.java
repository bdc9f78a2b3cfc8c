package dev.spotrunner.webhook.aws;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;

/**
 * Credentials from the container credentials endpoint (Lambda SnapStart, ECS, EKS Pod Identity):
 * a GET answered by {@code {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}}.
 *
 * <p>Fetched on first use, never at construction; kept until five minutes before they expire,
 * then fetched again by the first caller (the others wait for it). If that refresh fails while the
 * old credentials still work, they are used until they expire.
 */
final class ContainerCredentials implements CredentialSource {
  static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(5);
  /** Loaded on the first log line (a retry), not with this class: nothing logs on the hot path. */
  private static final class Logs {
    static final Log LOG = Log.of(ContainerCredentials.class);
  }

  private final URI uri;
  private final boolean checkHost;
  private final Path tokenFile;
  private final String token;
  private final Clock clock;
  private final HttpSettings http;
  private volatile AwsCredentials current;

  /**
   * @param checkHost whether {@code uri} came from {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, whose
   *     plain-HTTP hosts the SDKs restrict to loopback and the ECS and EKS agent addresses
   * @param tokenFile a file holding the Authorization header value, read on every fetch (it rotates)
   * @param token the Authorization header value when there is no file, or null
   */
  ContainerCredentials(URI uri, boolean checkHost, Path tokenFile, String token, Clock clock,
      HttpSettings http) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.checkHost = checkHost;
    this.tokenFile = tokenFile;
    this.token = token;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.http = Objects.requireNonNull(http, "http");
  }

  @Override
  public AwsCredentials credentials() {
    AwsCredentials known = current;
    if (known != null && fresh(known, clock.instant())) {
      return known;
    }
    synchronized (this) {
      known = current;
      Instant now = clock.instant();
      if (known != null && fresh(known, now)) {
        return known;
      }
      try {
        current = fetch();
        return current;
      } catch (TransientFailure e) {
        if (known != null && known.expiration() != null && now.isBefore(known.expiration())) {
          Logs.LOG.warn("container credentials refresh failed, the current ones still work",
              Log.entry("expiration", known.expiration().toString()), Log.error(e));
          return known;
        }
        throw e;
      }
    }
  }

  private static boolean fresh(AwsCredentials credentials, Instant now) {
    return credentials.expiration() == null
        || now.isBefore(credentials.expiration().minus(REFRESH_BEFORE_EXPIRY));
  }

  private AwsCredentials fetch() {
    if (checkHost) {
      checkHost();
    }
    String authorization = authorization();
    HttpURLConnection connection;
    try {
      connection = (HttpURLConnection) uri.toURL().openConnection();
    } catch (IOException | IllegalArgumentException e) {
      throw new PermanentFailure("container credentials: cannot open " + uri + ": " + e.getClass().getSimpleName());
    }
    int status;
    byte[] body;
    try {
      connection.setConnectTimeout((int) http.connectTimeout().toMillis());
      connection.setReadTimeout((int) http.readTimeout().toMillis());
      connection.setRequestProperty("Accept", "application/json");
      if (authorization != null) {
        connection.setRequestProperty("Authorization", authorization);
      }
      status = connection.getResponseCode();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      try (in) {
        body = in == null ? new byte[0] : in.readAllBytes();
      }
    } catch (IOException e) {
      throw new TransientFailure("container credentials: " + uri + " did not answer: "
          + e.getClass().getSimpleName());
    }
    Map<String, String> fields;
    try {
      fields = AwsJson.topLevelScalars(body);
    } catch (IOException e) {
      // Never the body: a half-read answer may hold a secret key.
      throw new TransientFailure("container credentials: " + uri + " answered HTTP " + status
          + " with a body that is not JSON");
    }
    if (status != 200) {
      String code = fields.getOrDefault("code", fields.getOrDefault("Code", "error"));
      String message = fields.getOrDefault("message", fields.getOrDefault("Message", ""));
      String text = "container credentials: " + uri + " answered HTTP " + status + ": "
          + Redaction.clean(code) + (message.isEmpty() ? "" : " " + Redaction.clean(message));
      // 4xx: a wrong token or URI, which asking again will not fix.
      throw status >= 500 || status == 429 ? new TransientFailure(text) : new PermanentFailure(text);
    }
    String keyId = fields.get("AccessKeyId");
    String secret = fields.get("SecretAccessKey");
    if (keyId == null || keyId.isBlank() || secret == null || secret.isBlank()) {
      throw new TransientFailure("container credentials: " + uri
          + " answered without AccessKeyId and SecretAccessKey");
    }
    Instant expiration = null;
    String expires = fields.get("Expiration");
    if (expires != null && !expires.isBlank()) {
      try {
        expiration = Instant.parse(expires.trim());
      } catch (DateTimeParseException e) {
        throw new TransientFailure("container credentials: " + uri + " answered an unreadable Expiration");
      }
    }
    return new AwsCredentials(keyId, secret, fields.get("Token"), expiration);
  }

  private String authorization() {
    String value = token;
    if (tokenFile != null) {
      try {
        value = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new PermanentFailure("container credentials: cannot read "
            + CredentialSource.AUTHORIZATION_TOKEN_FILE + " " + tokenFile + ": " + e.getClass().getSimpleName());
      }
    }
    if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
      throw new PermanentFailure("container credentials: the authorization token holds a line break");
    }
    return value == null || value.isEmpty() ? null : value;
  }

  /** HTTPS anywhere; plain HTTP only to loopback and the ECS (169.254.170.2) and EKS agents. */
  private void checkHost() {
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return;
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new PermanentFailure(CredentialSource.FULL_URI + " must be an http or https URL: " + uri);
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
        String ip = address.getHostAddress();
        boolean allowed = address.isLoopbackAddress() || ip.equals("169.254.170.2")
            || ip.equals("169.254.170.23") || ip.equalsIgnoreCase("fd00:ec2:0:0:0:0:0:23");
        if (!allowed) {
          throw new PermanentFailure(CredentialSource.FULL_URI + " over plain HTTP must point at "
              + "loopback, 169.254.170.2 or 169.254.170.23, not " + uri.getHost());
        }
      }
    } catch (IOException e) {
      throw new TransientFailure("container credentials: cannot resolve " + uri.getHost());
    }
  }
}
