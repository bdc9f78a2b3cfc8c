package dev.spotrunner.local.github;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends {@code workflow_job} webhooks as GitHub does: JSON body, {@code X-GitHub-Event},
 * {@code X-GitHub-Delivery} (a new id per delivery; redeliveries reuse it) and
 * {@code X-Hub-Signature-256} (HMAC-SHA256 of the body with the webhook secret).
 */
public final class WebhookSender {
  private static final Log log = Log.of(WebhookSender.class);

  /** One delivery and GitHub's view of how it went. */
  public record Delivery(String id, String action, long jobId, int status, String response) {}

  private final URI target;
  private final Secret secret;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

  public WebhookSender(URI target, Secret secret) {
    this.target = target;
    this.secret = secret;
  }

  public Delivery send(JobEvent event) {
    return send(event, UUID.randomUUID().toString(), secret);
  }

  /** Sends with a given delivery id and secret: redeliveries and wrong signatures in tests. */
  public Delivery send(JobEvent event, String deliveryId, Secret signingSecret) {
    return post(payload(event), event.action(), event.jobId(), deliveryId, signingSecret);
  }

  Delivery post(String body, String action, long jobId, String deliveryId, Secret signingSecret) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(target)
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .header("User-Agent", "GitHub-Hookshot/spotrunner-local")
        .header("X-GitHub-Event", "workflow_job")
        .header("X-GitHub-Delivery", deliveryId)
        .header("X-GitHub-Hook-ID", "1")
        .header("X-Hub-Signature-256", sign(signingSecret, bytes))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build();
    Delivery delivery;
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      delivery = new Delivery(deliveryId, action, jobId, response.statusCode(), response.body());
    } catch (IOException e) {
      delivery = new Delivery(deliveryId, action, jobId, 0, e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      delivery = new Delivery(deliveryId, action, jobId, 0, "interrupted");
    }
    deliveries.add(delivery);
    log.info("webhook delivered", entry("delivery_id", deliveryId), entry("action", action),
        entry("job_id", jobId), entry("status", delivery.status()));
    return delivery;
  }

  public List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  public static String sign(Secret secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** The payload GitHub sends, with the fields GitHub always includes for these objects. */
  public static String payload(JobEvent event) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("action", event.action());
    ObjectNode job = root.putObject("workflow_job");
    job.put("id", event.jobId());
    job.put("run_id", event.runId());
    job.put("run_attempt", 1);
    job.put("name", "build");
    job.put("workflow_name", "ci");
    job.put("head_branch", "main");
    job.put("status", event.status());
    job.put("conclusion", event.conclusion());
    job.put("created_at", String.valueOf(event.createdAt()));
    if (event.startedAt() != null) {
      job.put("started_at", event.startedAt().toString());
    } else {
      job.put("started_at", String.valueOf(event.createdAt()));
    }
    if (event.completedAt() != null) {
      job.put("completed_at", event.completedAt().toString());
    } else {
      job.putNull("completed_at");
    }
    var labels = job.putArray("labels");
    event.labels().forEach(labels::add);
    if (event.runnerId() != null) {
      job.put("runner_id", event.runnerId());
      job.put("runner_name", event.runnerName());
    } else {
      job.putNull("runner_id");
      job.putNull("runner_name");
    }
    String fullName = event.owner() + "/" + event.repository();
    job.put("html_url", "https://github.com/" + fullName + "/actions/runs/" + event.runId() + "/job/" + event.jobId());
    ObjectNode repository = root.putObject("repository");
    repository.put("id", Math.abs(fullName.hashCode()));
    repository.put("name", event.repository());
    repository.put("full_name", fullName);
    repository.put("private", event.privateRepository());
    ObjectNode owner = repository.putObject("owner");
    owner.put("login", event.owner());
    owner.put("type", event.ownerType());
    if ("Organization".equals(event.ownerType())) {
      root.putObject("organization").put("login", event.owner());
    }
    root.putObject("installation").put("id", event.installationId());
    root.putObject("sender").put("login", "octocat");
    return Json.write(root);
  }
}
