package dev.spotrunner.webhook.aws;

import dev.spotrunner.common.AwsErrorCodes;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Redaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Calls of one AWS JSON-protocol service (SQS, SSM): a signed POST over the JDK's
 * {@link HttpURLConnection}, which keeps connections alive between calls and, with the body
 * buffered, sends headers and body in one write.
 *
 * <p>Failures are spotrunner's two kinds: HTTP 5xx, 429, throttling codes and I/O errors are
 * {@link TransientFailure}, retried here up to {@link HttpSettings#maxAttempts()} in all; anything
 * else is an {@link AwsError} (a {@link PermanentFailure} carrying AWS's code). Messages name the
 * service, operation, code and HTTP status; AWS's own message is kept only through
 * {@link Redaction}, and never for a call that carried a secret.
 */
public final class AwsJsonClient {
  /** Loaded on the first log line (a retry), not with this class: nothing logs on the hot path. */
  private static final class Logs {
    static final Log LOG = Log.of(AwsJsonClient.class);
  }

  /** Error codes AWS uses for "slow down" or "try again" whatever the HTTP status (common's list). */
  static final Set<String> TRANSIENT_CODES = AwsErrorCodes.TRANSIENT;

  /**
   * A JSON-protocol service: its name in messages and in {@code AWS_ENDPOINT_URL_<envName>}, its
   * signing name (also the endpoint's first label), its {@code X-Amz-Target} prefix and content type.
   */
  public record Service(String name, String signingName, String targetPrefix, String contentType,
      String envName) {
    public static final Service SQS = new Service("SQS", "sqs", "AmazonSQS", "application/x-amz-json-1.0", "SQS");
    public static final Service SSM = new Service("SSM", "ssm", "AmazonSSM", "application/x-amz-json-1.1", "SSM");
  }

  /** AWS refused the call for good; {@link #code()} says why ({@code ParameterNotFound}, …). */
  public static final class AwsError extends PermanentFailure {
    private final String code;
    private final int status;

    AwsError(String message, String code, int status) {
      super(message);
      this.code = code;
      this.status = status;
    }

    public String code() {
      return code;
    }

    public int status() {
      return status;
    }
  }

  /** One answer: an HTTP status, AWS's error code ("" on success), message and body. */
  private record Answer(int status, String code, String otherCode, String message, String requestId,
      byte[] body) {}

  private final Service service;
  private final URI endpoint;
  private final String host;
  private final String path;
  private final java.net.URL url;
  private final SigV4 signer;
  private final CredentialSource credentials;
  private final HttpSettings http;
  private final Clock clock;

  public AwsJsonClient(Service service, URI endpoint, String region, CredentialSource credentials,
      HttpSettings http, Clock clock) {
    this.service = Objects.requireNonNull(service, "service");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.getHost() == null) {
      throw new IllegalArgumentException(service.name() + " endpoint has no host: " + endpoint);
    }
    int port = endpoint.getPort();
    boolean defaultPort = port == -1 || ("https".equalsIgnoreCase(endpoint.getScheme()) && port == 443)
        || ("http".equalsIgnoreCase(endpoint.getScheme()) && port == 80);
    // The Host header HttpURLConnection sends, which the signature covers.
    this.host = defaultPort ? endpoint.getHost() : endpoint.getHost() + ":" + port;
    this.path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    try {
      this.url = endpoint.toURL();
    } catch (java.net.MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(service.name() + " endpoint is not a URL: " + endpoint, e);
    }
    this.signer = new SigV4(Objects.requireNonNull(region, "region"), service.signingName());
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    this.http = Objects.requireNonNull(http, "http");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Service service() {
    return service;
  }

  public URI endpoint() {
    return endpoint;
  }

  /**
   * The endpoint of {@code service}, as the SDKs resolve it: {@code AWS_ENDPOINT_URL_<SERVICE>},
   * then {@code AWS_ENDPOINT_URL} (both ignored when {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS}
   * is true), then {@code https://<service>.<region>.amazonaws.com} ({@code .amazonaws.com.cn} in
   * the China regions).
   */
  public static URI endpoint(Service service, String region, Map<String, String> env) {
    if (!"true".equalsIgnoreCase(String.valueOf(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")).trim())) {
      for (String name : new String[] {"AWS_ENDPOINT_URL_" + service.envName(), "AWS_ENDPOINT_URL"}) {
        String value = env.get(name);
        if (value != null && !value.isBlank()) {
          return URI.create(value.trim());
        }
      }
    }
    String suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return URI.create("https://" + service.signingName() + "." + region + "." + suffix);
  }

  /**
   * Calls {@code operation} with a JSON {@code body} and returns the JSON answer of HTTP 200.
   *
   * @param label the operation as messages name it, e.g. {@code "GetParameter /app/key"}
   * @param keepAwsMessage false for calls that carry a secret: AWS's text is then left out
   */
  public byte[] call(String operation, String label, byte[] body, boolean keepAwsMessage) {
    String target = service.targetPrefix() + "." + operation;
    for (int attempt = 1; ; attempt++) {
      RuntimeException failure;
      try {
        Answer answer = once(target, body);
        if (answer.status() == 200) {
          return answer.body();
        }
        failure = translate(label, answer, keepAwsMessage);
      } catch (IOException e) {
        failure = new TransientFailure(service.name() + " " + label + " failed: "
            + e.getClass().getSimpleName());
      } catch (TransientFailure e) {
        failure = e; // credentials endpoint
      }
      if (!(failure instanceof TransientFailure) || attempt >= http.maxAttempts()) {
        throw failure;
      }
      Duration pause = jittered(http.backoffBefore(attempt + 1));
      Logs.LOG.info("aws call retried", Log.entry("aws_service", service.name()), Log.entry("operation", operation),
          Log.entry("attempt", attempt + 1), Log.entry("pause_ms", pause.toMillis()), Log.error(failure));
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failure;
      }
    }
  }

  private Answer once(String target, byte[] body) throws IOException {
    AwsCredentials current = credentials.credentials();
    SigV4.Signed signed = signer.signJsonPost(current, host, path, service.contentType(), target, body,
        clock.instant());
    HttpURLConnection connection = (HttpURLConnection) url.openConnection();
    connection.setConnectTimeout((int) http.connectTimeout().toMillis());
    connection.setReadTimeout((int) http.readTimeout().toMillis());
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", service.contentType());
    connection.setRequestProperty("X-Amz-Target", target);
    connection.setRequestProperty("X-Amz-Date", signed.amzDate());
    if (signed.securityToken() != null) {
      connection.setRequestProperty("X-Amz-Security-Token", signed.securityToken());
    }
    connection.setRequestProperty("Authorization", signed.authorization());
    connection.setRequestProperty("Accept", "application/json");
    // No streaming mode: HttpURLConnection buffers the body and writes it with the headers.
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body);
    }
    int status = connection.getResponseCode();
    byte[] answer;
    InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    // Read to the end and close: that hands the connection back to the keep-alive cache.
    try (in) {
      answer = in == null ? new byte[0] : in.readAllBytes();
    }
    if (status == 200) {
      return new Answer(200, "", "", "", "", answer);
    }
    String queryError = connection.getHeaderField("x-amzn-query-error");
    String requestId = connection.getHeaderField("x-amzn-RequestId");
    String type = "";
    String message = "";
    try {
      Map<String, String> fields = AwsJson.topLevelScalars(answer);
      type = fields.getOrDefault("__type", fields.getOrDefault("code", ""));
      message = fields.getOrDefault("message", fields.getOrDefault("Message", ""));
    } catch (IOException e) {
      // Not JSON (a proxy's error page): the status decides.
    }
    if (type.isEmpty() && connection.getHeaderField("x-amzn-ErrorType") != null) {
      type = connection.getHeaderField("x-amzn-ErrorType");
    }
    String typeCode = stripType(type);
    // SQS keeps its query-protocol codes in a header: "AWS.SimpleQueueService.NonExistentQueue;Sender".
    String queryCode = queryError == null ? "" : queryError.split(";", 2)[0].trim();
    String code = queryCode.isEmpty() ? typeCode : queryCode;
    return new Answer(status, code, typeCode, message, requestId == null ? "" : requestId, answer);
  }

  /** "com.amazonaws.sqs#QueueDoesNotExist" → "QueueDoesNotExist"; "Code:http://…" → "Code". */
  static String stripType(String type) {
    String code = type;
    int hash = code.indexOf('#');
    if (hash >= 0) {
      code = code.substring(hash + 1);
    }
    int colon = code.indexOf(':');
    if (colon >= 0) {
      code = code.substring(0, colon);
    }
    return code.trim();
  }

  private RuntimeException translate(String label, Answer answer, boolean keepAwsMessage) {
    boolean transientCode = TRANSIENT_CODES.contains(answer.code()) || TRANSIENT_CODES.contains(answer.otherCode());
    StringBuilder message = new StringBuilder(service.name()).append(' ').append(label).append(" failed: ")
        .append(answer.code().isEmpty() ? "error" : Redaction.clean(answer.code()))
        .append(" (HTTP ").append(answer.status()).append(')');
    if (keepAwsMessage && !answer.message().isEmpty()) {
      message.append(' ').append(Redaction.clean(answer.message()));
    }
    if (!answer.requestId().isEmpty()) {
      message.append(" [request ").append(Redaction.clean(answer.requestId())).append(']');
    }
    if (answer.status() >= 500 || answer.status() == 429 || transientCode) {
      return new TransientFailure(message.toString());
    }
    return new AwsError(message.toString(), answer.otherCode().isEmpty() ? answer.code() : answer.otherCode(),
        answer.status());
  }

  private static Duration jittered(Duration base) {
    long nanos = base.toNanos();
    return Duration.ofNanos(nanos / 2 + ThreadLocalRandom.current().nextLong(nanos + 1));
  }

  @Override
  public String toString() {
    return "AwsJsonClient[" + service.name() + " " + endpoint + " " + signer.region().toLowerCase(Locale.ROOT) + "]";
  }
}
