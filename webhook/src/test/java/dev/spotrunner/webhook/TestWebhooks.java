package dev.spotrunner.webhook;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.testkit.fakes.InMemoryJobQueue;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Builds webhooks over fakes and signed requests for the unit tests. Secrets are made per run. */
final class TestWebhooks {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final String SECRET_PARAM = "/test/webhook/secret";
  static final String PREVIOUS_SECRET_PARAM = "/test/webhook/secret-previous";
  static final String K8S_QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/test-k8s";
  static final String LINUX_QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/test-linux";

  static final List<PoolDefinition> POOLS = List.of(
      new PoolDefinition("k8s", List.of("self-hosted", "k8s", "linux"), PoolDefinition.Match.SUBSET,
          10, K8S_QUEUE, 45, false),
      new PoolDefinition("linux", List.of("self-hosted", "linux", "x64"), PoolDefinition.Match.SUBSET,
          20, LINUX_QUEUE, null, true));

  static Secret randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return new Secret(HexFormat.of().formatHex(bytes));
  }

  /** A webhook over an in-memory queue and SSM, with its parts exposed for assertions. */
  static final class Harness {
    final Secret secret = randomSecret();
    final InMemoryJobQueue queue = new InMemoryJobQueue();
    final InMemoryParameters parameters = new InMemoryParameters().with(SECRET_PARAM, secret.reveal());
    final List<String> metricLines = new ArrayList<>();
    final MutableClock clock = new MutableClock(NOW);
    final Webhook webhook;
    final WebhookHandler handler;

    Harness() {
      this(settings(Map.of()));
    }

    Harness(WebhookSettings settings) {
      this.webhook = Wiring.webhook(settings, queue, parameters,
          new JobMetrics("test", clock, metricLines::add), clock);
      this.handler = new WebhookHandler(webhook);
    }

    Reply send(String event, String delivery, String body) {
      return webhook.handle(headers(event, delivery, sign(body)), body, false);
    }

    String sign(String body) {
      return sign(body.getBytes(StandardCharsets.UTF_8));
    }

    String sign(byte[] body) {
      return Signature.sign(body, secret);
    }
  }

  /** Settings as Terraform would set them, with overrides. */
  static WebhookSettings settings(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("ENVIRONMENT", "test");
    env.put("WEBHOOK_SECRET_PARAMS", SECRET_PARAM + "," + PREVIOUS_SECRET_PARAM);
    env.put("POOLS", dev.spotrunner.common.json.Json.write(POOLS));
    env.put("ALLOW_PUBLIC_REPOSITORIES", "true");
    env.putAll(overrides);
    env.values().removeIf(String::isEmpty);
    return WebhookSettings.fromEnv(env);
  }

  static Map<String, String> headers(String event, String delivery, String signature) {
    Map<String, String> headers = new HashMap<>();
    headers.put("x-github-event", event);
    headers.put("x-github-delivery", delivery);
    headers.put("x-hub-signature-256", signature);
    headers.put("content-type", "application/json");
    return headers;
  }

  static APIGatewayV2HTTPEvent event(Map<String, String> headers, String body, boolean base64) {
    APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
    event.setHeaders(headers);
    event.setBody(body);
    event.setIsBase64Encoded(base64);
    return event;
  }

  private static final Map<String, String> FIXTURES = new java.util.concurrent.ConcurrentHashMap<>();

  static String fixture(String name) {
    return FIXTURES.computeIfAbsent(name, TestWebhooks::readFixture);
  }

  private static String readFixture(String name) {
    try (InputStream in = TestWebhooks.class.getResourceAsStream("/fixtures/github-webhooks/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A workflow_job payload with the given action, id and labels, private repository acme/api. */
  static String workflowJob(String action, long jobId, String labelsJson) {
    return """
        {"action":"%s","workflow_job":{"id":%d,"run_id":77,"status":"%s","labels":%s,
        "created_at":"2026-03-01T11:59:00Z","started_at":"2026-03-01T11:59:42Z",
        "completed_at":"2026-03-01T12:03:12Z"},
        "repository":{"full_name":"acme/api","private":true,"owner":{"login":"acme","type":"Organization"}},
        "installation":{"id":4242}}""".formatted(action, jobId, action, labelsJson);
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(java.time.Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private TestWebhooks() {}
}
