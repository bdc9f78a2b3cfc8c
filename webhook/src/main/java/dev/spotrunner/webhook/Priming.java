package dev.spotrunner.webhook;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.log.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Runs the hot path before a SnapStart snapshot — signature, JSON, routing, message serialisation,
 * the SDK's SQS SendMessage and SSM GetParameter, the response — through a separate webhook on SDK
 * clients of its own whose HTTP client is {@link CannedAws}, with made-up credentials and discarding
 * metrics. No network, and nothing of it is kept: no secret, no token, no delivery id survives
 * into restored containers.
 */
final class Priming {
  static final int ROUNDS = 300;
  private static final Secret KEY = new Secret("spotrunner-priming-only");
  private static final String POOL = "priming";
  private static final String SECRET_PARAM = "/priming/webhook-secret";

  /** What one priming did: replies by status and the calls the canned AWS answered. */
  record Result(Map<Integer, Integer> replies, Map<String, Integer> awsCalls) {}

  private Priming() {}

  static Result run() {
    return run(ROUNDS);
  }

  static Result run(int rounds) {
    Clock clock = Clock.systemUTC();
    CannedAws http = new CannedAws(SECRET_PARAM, KEY.reveal());
    // The production clients' configuration, made-up credentials; a previous secret that is gone.
    AwsClients.Config config = new AwsClients.Config(Region.US_EAST_1, null,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDPRIMINGONLY", "priming-only")),
        false, AwsClients.DEFAULT_MAX_ATTEMPTS, WebhookAws.CONNECT_TIMEOUT, WebhookAws.READ_TIMEOUT,
        WebhookAws.CALL_TIMEOUT);
    Map<Integer, Integer> replies = new TreeMap<>();
    try (AwsClients clients = new AwsClients(config);
        WebhookAws aws = WebhookAws.build(clients, http, clock)) {
      PoolRouter pools = new PoolRouter(List.of(new PoolDefinition(POOL,
          List.of("self-hosted", "linux", "x64"), null, 1,
          "https://sqs.us-east-1.amazonaws.com/000000000000/priming", 0, true)));
      Webhook webhook = new Webhook(() -> pools, RepositoryPolicy.allowAll(), true, 1 << 20,
          new WebhookSecrets(aws.parameters(), List.of(SECRET_PARAM, SECRET_PARAM + "-previous"),
              clock),
          aws.queue(), new JobMetrics("priming", clock, line -> { }), clock);
      WebhookHandler handler = new WebhookHandler(webhook);
      for (int round = 0; round < rounds; round++) {
        for (APIGatewayV2HTTPEvent event : events(round)) {
          int status = handler.handleRequest(event, null).getStatusCode();
          replies.merge(status, 1, Integer::sum);
        }
      }
    }
    return new Result(replies, http.calls());
  }

  private static List<APIGatewayV2HTTPEvent> events(int round) {
    String queued = payload("queued", round);
    String started = payload("in_progress", round);
    return List.of(
        event("workflow_job", queued, sign(queued), round),
        event("workflow_job", started, sign(started), round),
        event("workflow_job", queued, sign(started), round),
        event("workflow_job", "{\"action\":", sign("{\"action\":"), round),
        event("ping", "{\"zen\":\"Keep it logically awesome.\"}",
            sign("{\"zen\":\"Keep it logically awesome.\"}"), round));
  }

  private static String payload(String action, int round) {
    return """
        {"action":"%s","workflow_job":{"id":%d,"run_id":%d,"status":"%s",
        "created_at":"2024-01-01T00:00:00Z","started_at":"2024-01-01T00:00:21Z","completed_at":null,
        "labels":["self-hosted","Linux","x64"],"steps":[],"runner_name":%s},
        "repository":{"id":1,"full_name":"priming/priming","private":true,
        "owner":{"login":"priming","type":"Organization"}},
        "installation":{"id":1},"sender":{"login":"priming"}}
        """.formatted(action, 1_000_000 + round, 2_000_000 + round, action,
        // a started job names its runner: the job start goes to the queue too
        action.equals("in_progress") ? "\"priming-i-0123456789abcdef0\"" : "null");
  }

  private static String sign(String body) {
    return Signature.sign(body.getBytes(StandardCharsets.UTF_8), KEY);
  }

  private static APIGatewayV2HTTPEvent event(String type, String body, String signature, int round) {
    APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
    event.setHeaders(Map.of(
        "X-GitHub-Event", type,
        "X-GitHub-Delivery", "priming-" + round + "-" + type,
        "X-Hub-Signature-256", signature,
        "content-type", "application/json"));
    event.setBody(body);
    event.setIsBase64Encoded(false);
    return event;
  }
}
