package dev.spotrunner.webhook.aws;

import dev.spotrunner.common.PermanentFailure;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Where the AWS credentials of a call come from, asked on every call (implementations cache).
 *
 * <p>{@link #fromEnv} follows the SDK's order for what a Lambda can have: the access key variables
 * when set (a Lambda without SnapStart), otherwise the container credentials endpoint (a SnapStart
 * Lambda gets its credentials only that way: {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}; ECS and EKS use the other variables).
 */
@FunctionalInterface
public interface CredentialSource {
  String ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
  String SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
  String SESSION_TOKEN = "AWS_SESSION_TOKEN";
  String RELATIVE_URI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
  String FULL_URI = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  String AUTHORIZATION_TOKEN = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
  String AUTHORIZATION_TOKEN_FILE = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
  /** The ECS task metadata host that {@value #RELATIVE_URI} is relative to. */
  String ECS_HOST = "http://169.254.170.2";

  /** Credentials good for at least the next call; throws TransientFailure or PermanentFailure. */
  AwsCredentials credentials();

  static CredentialSource fixed(AwsCredentials credentials) {
    Objects.requireNonNull(credentials, "credentials");
    return () -> credentials;
  }

  /**
   * The source the environment names. Nothing is fetched here (this runs before a SnapStart
   * snapshot); the container endpoint is asked on the first call. With no source at all, every
   * call fails with a {@link PermanentFailure} naming the variables looked at.
   */
  static CredentialSource fromEnv(Map<String, String> env, Clock clock, HttpSettings http) {
    String keyId = value(env, ACCESS_KEY_ID);
    String secret = value(env, SECRET_ACCESS_KEY);
    if (keyId != null && secret != null) {
      return fixed(new AwsCredentials(keyId, secret, value(env, SESSION_TOKEN), null));
    }
    String relative = value(env, RELATIVE_URI);
    String full = value(env, FULL_URI);
    if (relative != null || full != null) {
      // The SDKs prefer the relative URI: it can only point at the ECS agent.
      URI uri = URI.create(relative != null
          ? ECS_HOST + (relative.startsWith("/") ? "" : "/") + relative
          : full);
      String tokenFile = value(env, AUTHORIZATION_TOKEN_FILE);
      return new ContainerCredentials(uri, relative == null,
          tokenFile != null ? Path.of(tokenFile) : null,
          tokenFile != null ? null : value(env, AUTHORIZATION_TOKEN), clock, http);
    }
    String missing = "no AWS credentials: neither " + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY
        + " nor " + FULL_URI + " or " + RELATIVE_URI + " is set"
        + (keyId != null ? " (" + ACCESS_KEY_ID + " is set without " + SECRET_ACCESS_KEY + ")" : "");
    return () -> {
      throw new PermanentFailure(missing);
    };
  }

  private static String value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }
}
