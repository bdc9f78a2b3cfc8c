package dev.spotrunner.webhook.aws;

import java.time.Instant;
import java.util.Objects;

/**
 * One set of AWS credentials. {@link #toString()} shows the access key id only: the secret key and
 * the session token never reach a log line or an exception message.
 *
 * @param sessionToken the session token of temporary credentials, or null
 * @param expiration when temporary credentials stop working, or null for long-lived ones
 */
public record AwsCredentials(String accessKeyId, String secretAccessKey, String sessionToken,
    Instant expiration) {
  public AwsCredentials {
    if (accessKeyId == null || accessKeyId.isBlank()) {
      throw new IllegalArgumentException("accessKeyId is empty");
    }
    if (secretAccessKey == null || secretAccessKey.isBlank()) {
      throw new IllegalArgumentException("secretAccessKey is empty");
    }
    if (sessionToken != null && sessionToken.isBlank()) {
      sessionToken = null;
    }
  }

  public static AwsCredentials of(String accessKeyId, String secretAccessKey) {
    return new AwsCredentials(accessKeyId, secretAccessKey, null, null);
  }

  @Override
  public String toString() {
    return "AwsCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=[redacted]"
        + (sessionToken == null ? "" : ", sessionToken=[redacted]")
        + (expiration == null ? "" : ", expiration=" + expiration) + "]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AwsCredentials c && c.accessKeyId.equals(accessKeyId)
        && c.secretAccessKey.equals(secretAccessKey) && Objects.equals(c.sessionToken, sessionToken)
        && Objects.equals(c.expiration, expiration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(accessKeyId, secretAccessKey, sessionToken, expiration);
  }
}
