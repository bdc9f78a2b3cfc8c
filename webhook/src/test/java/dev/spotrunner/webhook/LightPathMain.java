package dev.spotrunner.webhook;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.testkit.fakes.InMemoryJobQueue;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs the webhook's whole request path in a fresh JVM for {@link LightPathTest}: settings from the
 * environment map, {@link Wiring} over in-memory fakes, then one request of every kind and a
 * priming. Prints the replies' statuses and the queue's and metrics' sizes on its last line.
 */
final class LightPathMain {
  static final String DONE = "LIGHT-PATH-DONE";
  private static final String POOLS = """
      [{"name":"linux","labels":["self-hosted","linux","x64"],"priority":1,
        "queueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/linux","delaySeconds":0,
        "default":true,"unknown":{"ignored":[1,2]}}]""";

  private LightPathMain() {}

  public static void main(String[] args) {
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    Secret secret = new Secret(HexFormat.of().formatHex(key));
    InMemoryJobQueue queue = new InMemoryJobQueue();
    InMemoryParameters parameters = new InMemoryParameters().with("/light/secret", secret.reveal());
    List<String> metricLines = new ArrayList<>();
    WebhookSettings settings = WebhookSettings.fromEnv(Map.of("ENVIRONMENT", "light",
        "WEBHOOK_SECRET_PARAMS", "/light/secret", "POOLS", POOLS, "CHECK_RUN_LEGACY", "true",
        "REPOSITORY_ALLOW_LIST", "acme/*"));
    Clock clock = Clock.systemUTC();
    WebhookHandler handler = new WebhookHandler(Wiring.webhook(settings, queue, parameters,
        new JobMetrics("light", clock, metricLines::add), clock));

    List<Integer> statuses = new ArrayList<>();
    String labels = "[\"self-hosted\",\"Linux\",\"x64\"]";
    statuses.add(send(handler, secret, "workflow_job", "d-1", job("queued", 1, labels, "acme/api")));
    statuses.add(send(handler, secret, "workflow_job", "d-2", job("in_progress", 1, labels, "acme/api")
        .replace("\"steps\"", "\"runner_name\":\"test-i-0abc12345678def01\",\"steps\""))); // a job start
    statuses.add(send(handler, secret, "workflow_job", "d-3", job("completed", 1, labels, "acme/api")));
    statuses.add(send(handler, secret, "workflow_job", "d-4", job("queued", 2, "[\"ubuntu-latest\"]", "acme/api")));
    statuses.add(send(handler, secret, "workflow_job", "d-5", job("waiting", 3, labels, "acme/api")));
    statuses.add(send(handler, secret, "check_run", "d-6", """
        {"action":"created","check_run":{"id":9,"status":"queued"},
        "repository":{"full_name":"acme/api","private":true,"owner":{"login":"acme","type":"User"}}}"""));
    statuses.add(send(handler, secret, "ping", "d-7", "{\"zen\":\"Design for failure.\"}"));
    statuses.add(send(handler, secret, "issues", "d-8", "{\"action\":\"opened\"}"));
    statuses.add(send(handler, secret, "workflow_job", "d-9", "{\"action\":\"queued\","));
    statuses.add(send(handler, secret, "workflow_job", "d-10",
        job("queued", 4, "[\"self-hosted\",{}]", "acme/api")));
    statuses.add(send(handler, secret, "workflow_job", "d-11", job("queued", 5, labels, "other/api")));
    statuses.add(send(handler, secret, "workflow_job", "d-12",
        job("queued", 6, labels, "acme/api").replace("\"private\":true", "\"private\":false")));
    statuses.add(sendSigned(handler, "workflow_job", "d-13", job("queued", 7, labels, "acme/api"),
        "sha256=" + "0".repeat(64)));
    Priming.Result primed = Priming.run();

    System.out.println(DONE + " statuses=" + statuses + " queued=" + queue.sent().size()
        + " metrics=" + metricLines.size() + " primed=" + primed.awsCalls().get("SendMessage"));
  }

  private static String job(String action, long id, String labels, String repository) {
    return """
        {"action":"%s","workflow_job":{"id":%d,"run_id":77,"status":"%s","labels":%s,
        "created_at":"2026-03-01T11:59:00Z","started_at":"2026-03-01T11:59:42Z",
        "completed_at":"2026-03-01T12:03:12Z","steps":[{"name":"x","number":1}]},
        "repository":{"full_name":"%s","private":true,"owner":{"login":"acme","type":"Organization"}},
        "installation":{"id":4242},"sender":{"login":"octocat"}}"""
        .formatted(action, id, action, labels, repository);
  }

  private static int send(WebhookHandler handler, Secret secret, String event, String delivery,
      String body) {
    return sendSigned(handler, event, delivery, body,
        Signature.sign(body.getBytes(StandardCharsets.UTF_8), secret));
  }

  private static int sendSigned(WebhookHandler handler, String event, String delivery, String body,
      String signature) {
    Map<String, String> headers = new HashMap<>();
    headers.put("X-GitHub-Event", event);
    headers.put("X-GitHub-Delivery", delivery);
    headers.put("X-Hub-Signature-256", signature);
    APIGatewayV2HTTPEvent request = new APIGatewayV2HTTPEvent();
    request.setHeaders(headers);
    request.setBody(body);
    request.setIsBase64Encoded(false);
    return handler.handleRequest(request, null).getStatusCode();
  }
}
