package dev.spotrunner.webhook.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.ManualClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials from the environment and from a loopback container credentials endpoint. */
class CredentialSourceTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private final ManualClock clock = new ManualClock(NOW);
  private final String token = "Bearer-" + UUID.randomUUID();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile int status = 200;
  private volatile String body;
  private volatile Instant expiration = NOW.plus(Duration.ofHours(1));
  private HttpServer server;

  @BeforeEach
  void startEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/2021-04-23/credentials", this::answer);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  @AfterEach
  void stopEndpoint() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      int n = fetches.incrementAndGet();
      authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      String text = body != null ? body : "{\"AccessKeyId\":\"ASIA" + n + "\",\"SecretAccessKey\":\"secret-" + n
          + "-" + UUID.randomUUID() + "\",\"Token\":\"token-" + n + "-" + UUID.randomUUID()
          + "\",\"Expiration\":\"" + expiration + "\"}";
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/2021-04-23/credentials";
  }

  private CredentialSource container(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri());
    return CredentialSource.fromEnv(env, clock, HttpSettings.DEFAULT);
  }

  @Test
  void environmentKeysWinOverTheContainerEndpoint() {
    String secret = UUID.randomUUID().toString();
    CredentialSource source = CredentialSource.fromEnv(Map.of("AWS_ACCESS_KEY_ID", "AKIAENV",
        "AWS_SECRET_ACCESS_KEY", secret, "AWS_SESSION_TOKEN", "tok",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", uri(), "AWS_CONTAINER_AUTHORIZATION_TOKEN", token), clock,
        HttpSettings.DEFAULT);

    assertThat(source.credentials()).isEqualTo(new AwsCredentials("AKIAENV", secret, "tok", null));
    assertThat(fetches).hasValue(0);
  }

  @Test
  void anAccessKeyWithoutItsSecretFallsBackToTheContainer() {
    CredentialSource source = container(Map.of("AWS_ACCESS_KEY_ID", "AKIAENV",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN", token));

    assertThat(source.credentials().accessKeyId()).isEqualTo("ASIA1");
  }

  @Test
  void fetchesLazilyWithTheTokenAndCachesUntilFiveMinutesBeforeExpiry() {
    CredentialSource source = container(Map.of("AWS_CONTAINER_AUTHORIZATION_TOKEN", token));
    assertThat(fetches).as("nothing fetched at construction (SnapStart)").hasValue(0);

    AwsCredentials first = source.credentials();
    assertThat(first.accessKeyId()).isEqualTo("ASIA1");
    assertThat(first.sessionToken()).startsWith("token-1-");
    assertThat(first.expiration()).isEqualTo(expiration);
    assertThat(authorizations).containsExactly(token);

    clock.advance(Duration.ofMinutes(54));
    assertThat(source.credentials()).isSameAs(first);
    assertThat(fetches).hasValue(1);

    clock.advance(Duration.ofMinutes(1).plusSeconds(1)); // 4:59 before expiry
    expiration = NOW.plus(Duration.ofHours(2));
    AwsCredentials second = source.credentials();
    assertThat(second.accessKeyId()).isEqualTo("ASIA2");
    assertThat(source.credentials()).isSameAs(second);
    assertThat(fetches).hasValue(2);
  }

  @Test
  void readsTheTokenFileOnEveryFetchAndPrefersItToTheTokenVariable(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("token");
    Files.writeString(file, token + "\n");
    CredentialSource source = container(Map.of("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file.toString(),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-this-one"));

    source.credentials();
    Files.writeString(file, token + "-rotated");
    clock.advance(Duration.ofMinutes(56));
    source.credentials();

    assertThat(authorizations).containsExactly(token, token + "-rotated");
  }

  @Test
  void manyThreadsAtExpiryFetchOnce() throws Exception {
    CredentialSource source = container(Map.of());
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<AwsCredentials>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        results.add(threads.submit(source::credentials));
      }
      for (Future<AwsCredentials> result : results) {
        assertThat(result.get().accessKeyId()).isEqualTo("ASIA1");
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(fetches).hasValue(1);
  }

  @Test
  void anErrorAnswerIsAFailureWithoutTheBody() {
    status = 401;
    body = "{\"code\":\"InvalidToken\",\"message\":\"the token is wrong\"}";
    CredentialSource source = container(Map.of("AWS_CONTAINER_AUTHORIZATION_TOKEN", token));

    assertThatThrownBy(source::credentials).isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("HTTP 401").hasMessageContaining("InvalidToken")
        .hasMessageNotContaining(token);

    status = 503;
    body = "{\"code\":\"Busy\",\"message\":\"later\"}";
    assertThatThrownBy(source::credentials).isInstanceOf(TransientFailure.class).hasMessageContaining("HTTP 503");
  }

  @Test
  void aFailedRefreshKeepsCredentialsThatStillWork() {
    CredentialSource source = container(Map.of());
    AwsCredentials first = source.credentials();

    status = 500;
    body = "{\"code\":\"InternalError\"}";
    clock.advance(Duration.ofMinutes(57));
    assertThat(source.credentials()).as("3 minutes left").isSameAs(first);

    clock.advance(Duration.ofMinutes(3));
    assertThatThrownBy(source::credentials).as("expired").isInstanceOf(TransientFailure.class);
  }

  @Test
  void aMalformedAnswerNeverShowsWhatItHeld() {
    String secret = UUID.randomUUID().toString();
    body = "{\"AccessKeyId\":\"ASIA\",\"SecretAccessKey\":\"" + secret + "\",\"Token\":";
    CredentialSource source = container(Map.of());

    assertThatThrownBy(source::credentials).isInstanceOf(TransientFailure.class)
        .hasMessageContaining("not JSON").hasMessageNotContaining(secret);
  }

  @Test
  void plainHttpToAnyOtherHostIsRefused() {
    CredentialSource source = CredentialSource.fromEnv(
        Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.10/creds"), clock, HttpSettings.DEFAULT);

    assertThatThrownBy(source::credentials).isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("192.0.2.10").hasMessageContaining("loopback");
  }

  @Test
  void theRelativeUriIsUnderTheEcsAgentsAddress() {
    CredentialSource source = CredentialSource.fromEnv(
        Map.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"), clock, HttpSettings.DEFAULT);

    assertThat(source).isInstanceOf(ContainerCredentials.class);
    assertThat(source).extracting("uri").hasToString("http://169.254.170.2/v2/credentials/abc");
  }

  @Test
  void nothingConfiguredNamesEveryVariableLookedAt() {
    CredentialSource source = CredentialSource.fromEnv(Map.of(), clock, HttpSettings.DEFAULT);

    assertThatThrownBy(source::credentials).isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("AWS_ACCESS_KEY_ID").hasMessageContaining("AWS_SECRET_ACCESS_KEY")
        .hasMessageContaining("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .hasMessageContaining("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  }
}
