package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.common.job.JobMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever arrives — random bytes, truncated or mistyped JSON, huge label arrays, odd headers,
 * bodies at and over the limit — the webhook never answers 5xx and never queues a message unless the
 * signature is valid for the bytes it received.
 */
class WebhookProperties {
  static final int MAX_BODY = 64 * 1024;

  enum Signing { VALID, OTHER_SECRET, TAMPERED, JUNK, MISSING }

  record Request(String event, String delivery, String body, boolean base64, Signing signing,
      boolean shoutHeaders, boolean extraHeaders) {}

  private final TestWebhooks.Harness harness = new TestWebhooks.Harness(
      TestWebhooks.settings(Map.of("MAX_BODY_BYTES", String.valueOf(MAX_BODY))));
  private final TestWebhooks.Harness stranger = new TestWebhooks.Harness();

  // edge cases off: the generators name their own (empty, negative, over the limit) and mixing in
  // every combination of them would crowd out the well-formed requests that reach the queue
  @Property(tries = 10_000, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
  void neverAnswers5xxAndNeverQueuesWithoutAValidSignature(@ForAll("requests") Request request) {
    int before = harness.queue.sent().size();

    Reply reply = harness.webhook.handle(headers(request), request.body(), request.base64());

    Statistics.label("reply").collect(reply.status() + " " + reply.message().replaceAll("[0-9\\[\\]]+", "#"));
    assertThat(reply.status()).isBetween(200, 499);
    assertThat(reply.message()).isNotBlank().doesNotContain("sha256=").doesNotContain("Exception");
    int queued = harness.queue.sent().size() - before;
    if (request.signing() != Signing.VALID) {
      assertThat(reply.status()).isEqualTo(
          bodySize(request) > MAX_BODY ? 413 : notBase64(request) ? 400 : 401);
      assertThat(queued).isZero();
    }
    assertThat(queued).isEqualTo("queued".equals(reply.message()) ? 1 : 0);
    if (queued == 1) {
      JobMessage message = JobMessage.fromJson(harness.queue.sent().getLast().body());
      assertThat(message.pool()).isEqualTo(reply.pool());
      assertThat(message.deliveryId()).isEqualTo(request.delivery());
    }
  }

  private Map<String, String> headers(Request request) {
    Map<String, String> headers = new HashMap<>();
    headers.put(name("x-github-event", request), request.event());
    headers.put(name("x-github-delivery", request), request.delivery());
    byte[] bytes = bytes(request);
    switch (request.signing()) {
      case VALID -> headers.put(name("x-hub-signature-256", request), harness.sign(bytes));
      case OTHER_SECRET -> headers.put(name("x-hub-signature-256", request), stranger.sign(bytes));
      case TAMPERED -> {
        String valid = harness.sign(bytes);
        char last = valid.charAt(valid.length() - 1);
        headers.put(name("x-hub-signature-256", request),
            valid.substring(0, valid.length() - 1) + (last == '0' ? '1' : '0'));
      }
      case JUNK -> headers.put(name("x-hub-signature-256", request), "sha256=" + request.delivery());
      case MISSING -> { }
    }
    if (request.extraHeaders()) {
      headers.put("x-hub-signature", "sha1=0000");
      headers.put("content-length", "-1");
      headers.put("user-agent", "GitHub-Hookshot/\u0000\uFFFF");
    }
    return WebhookHandler.headers(TestWebhooks.event(headers, request.body(), request.base64()));
  }

  private static String name(String header, Request request) {
    return request.shoutHeaders() ? header.toUpperCase(Locale.ROOT) : header;
  }

  /** The bytes GitHub signed: the decoded body when it is base64 (invalid base64: the text). */
  private static byte[] bytes(Request request) {
    if (request.base64()) {
      try {
        return Base64.getDecoder().decode(request.body());
      } catch (IllegalArgumentException e) {
        return request.body().getBytes(StandardCharsets.UTF_8);
      }
    }
    return request.body().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean notBase64(Request request) {
    try {
      if (request.base64()) {
        Base64.getDecoder().decode(request.body());
      }
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static long bodySize(Request request) {
    return bytes(request).length;
  }

  private record Body(String text, boolean base64) {}

  private static final List<String> LABELS =
      List.of("self-hosted", "linux", "Linux", "x64", "k8s", "gpu", "ubuntu-latest", "", "\u0000");
  private static final List<String> FIXTURES = List.of(
      "workflow_job.queued.with-deployment.payload.json", "workflow_job.queued.payload.json",
      "workflow_job.in_progress.payload.json", "workflow_job.completed.success.with-organization.payload.json",
      "check_run.created.payload.json", "ping.payload.json", "installation.created.payload.json");

  @Provide
  Arbitrary<Request> requests() {
    Arbitrary<String> events = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just("workflow_job")),
        Tuple.of(1, Arbitraries.of("check_run", "ping", "installation", "", "WORKFLOW_JOB")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(30)));
    Arbitrary<String> deliveries = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(40)),
        Tuple.of(1, Arbitraries.just("")),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(300)));
    return Combinators.combine(events, deliveries, bodies(), Arbitraries.frequency(
            Tuple.of(6, Signing.VALID), Tuple.of(1, Signing.OTHER_SECRET), Tuple.of(1, Signing.TAMPERED),
            Tuple.of(1, Signing.JUNK), Tuple.of(1, Signing.MISSING)),
        Arbitraries.of(true, false), Arbitraries.of(true, false))
        .as((event, delivery, body, signing, shout, extra) ->
            new Request(event, delivery, body.text(), body.base64(), signing, shout, extra));
  }

  private Arbitrary<Body> bodies() {
    Arbitrary<String> texts = Arbitraries.frequencyOf(
        Tuple.of(4, payloads()),
        Tuple.of(2, Combinators.combine(payloads(), Arbitraries.doubles().between(0, 1))
            .as((p, cut) -> p.substring(0, (int) (p.length() * cut)))),
        Tuple.of(3, mistyped()),
        Tuple.of(1, hugeLabels()),
        Tuple.of(1, atOrOverLimit()),
        Tuple.of(1, Arbitraries.strings().all().ofMaxLength(2000)),
        Tuple.of(1, Arbitraries.of(FIXTURES).map(TestWebhooks::fixture)));
    Arbitrary<Body> plain = Combinators.combine(texts, Arbitraries.integers().between(0, 4))
        .as((text, coin) -> coin == 0
            ? new Body(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)), true)
            : new Body(text, false));
    Arbitrary<Body> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096)
        .map(b -> new Body(Base64.getEncoder().encodeToString(b), true));
    Arbitrary<Body> notBase64 = Arbitraries.strings().ofMaxLength(200).map(s -> new Body(s, true));
    return Arbitraries.frequencyOf(Tuple.of(8, plain), Tuple.of(1, randomBytes), Tuple.of(1, notBase64));
  }

  private Arbitrary<String> payloads() {
    Arbitrary<String> actions = Arbitraries.frequency(Tuple.of(6, "queued"), Tuple.of(2, "in_progress"),
        Tuple.of(2, "completed"), Tuple.of(1, "waiting"), Tuple.of(1, ""), Tuple.of(1, "QUEUED"));
    Arbitrary<Long> ids = Arbitraries.frequencyOf(
        Tuple.of(9, Arbitraries.longs().between(1, Long.MAX_VALUE)),
        Tuple.of(1, Arbitraries.longs()));
    Arbitrary<String> labels = Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.of(LABELS.subList(0, 7)).list().ofMinSize(1).ofMaxSize(4)),
            Tuple.of(2, Arbitraries.of(LABELS).list().ofMaxSize(6)))
        .map(list -> list.stream().map(l -> "\"" + l + "\"").toList().toString());
    return Combinators.combine(actions, ids, labels, Arbitraries.of(true, false))
        .as((action, id, labelsJson, isPrivate) -> TestWebhooks.workflowJob(action, id, labelsJson)
            .replace("\"private\":true", "\"private\":" + isPrivate));
  }

  private Arbitrary<String> mistyped() {
    List<String[]> swaps = List.of(
        new String[] {"\"id\":", "\"id\":\"x\",\"no\":"},
        new String[] {"\"id\":", "\"id\":1.5,\"no\":"},
        new String[] {"\"id\":", "\"id\":null,\"no\":"},
        new String[] {"\"id\":", "\"id\":99999999999999999999999,\"no\":"},
        new String[] {"\"labels\":", "\"labels\":\"linux\",\"no\":"},
        new String[] {"\"labels\":", "\"labels\":null,\"no\":"},
        new String[] {"\"labels\":", "\"labels\":[[\"linux\"]],\"no\":"},
        new String[] {"\"labels\":", "\"labels\":[null],\"no\":"},
        new String[] {"\"labels\":", "\"labels\":{},\"no\":"},
        new String[] {"\"private\":", "\"private\":\"yes\",\"no\":"},
        new String[] {"\"full_name\":\"acme/api\"", "\"full_name\":7"},
        new String[] {"\"full_name\":\"acme/api\"", "\"full_name\":\"../../etc\""},
        new String[] {"\"full_name\":\"acme/api\"", "\"full_name\":\"acme/api\",\"full_name\":\"x/y\""},
        new String[] {"\"repository\":", "\"repository\":[],\"no\":"},
        new String[] {"\"workflow_job\":", "\"workflow_job\":\"\",\"no\":"},
        new String[] {"\"installation\":{\"id\":4242}", "\"installation\":{\"id\":\"abc\"}"},
        new String[] {"\"action\":", "\"action\":{},\"no\":"},
        new String[] {"{\"action\"", "[{\"action\""},
        new String[] {"\"run_id\":77", "\"run_id\":true"},
        new String[] {"\"created_at\":", "\"created_at\":12,\"no\":"});
    return Combinators.combine(payloads(), Arbitraries.of(swaps))
        .as((payload, swap) -> payload.replaceFirst(
            java.util.regex.Pattern.quote(swap[0]), java.util.regex.Matcher.quoteReplacement(swap[1])));
  }

  private Arbitrary<String> hugeLabels() {
    return Combinators.combine(Arbitraries.integers().between(1_000, 8_000), Arbitraries.of(LABELS))
        .as((n, label) -> {
          List<String> labels = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            labels.add("\"" + (i % 3 == 0 ? label : "label-" + i % 50) + "\"");
          }
          return TestWebhooks.workflowJob("queued", 9_000_000 + n, labels.toString());
        });
  }

  /** A valid queued payload padded with spaces to exactly the limit, one byte over, or far over. */
  private Arbitrary<String> atOrOverLimit() {
    return Combinators.combine(Arbitraries.of(0, 1, 5_000), Arbitraries.longs().between(1, 1_000_000))
        .as((over, id) -> {
          String payload = TestWebhooks.workflowJob("queued", id, "[\"self-hosted\",\"linux\"]");
          return payload + " ".repeat(MAX_BODY + over - payload.length());
        });
  }
}
