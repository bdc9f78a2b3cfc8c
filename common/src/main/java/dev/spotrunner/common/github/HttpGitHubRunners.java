package dev.spotrunner.common.github;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link GitHubRunners} over GitHub's REST API with {@code java.net.http}: every call is made with
 * the installation token of the owner's account, through the {@link RequestGovernor}. Registration
 * tokens and runner-group ids are cached in memory.
 */
public final class HttpGitHubRunners implements GitHubRunners {
  private static final Log LOG = Log.of(HttpGitHubRunners.class);
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

  private final GitHubApp app;
  private final Map<RunnerOwner, RegistrationToken> registrationTokens = new ConcurrentHashMap<>();
  private final Map<String, Long> groupIds = new ConcurrentHashMap<>();

  HttpGitHubRunners(GitHubApp app) {
    this.app = app;
  }

  @Override
  public void knownInstallation(RunnerOwner owner, long installationId) {
    app.knownInstallation(owner, installationId);
  }

  @Override
  public int pointsLeft(RunnerOwner owner) {
    return app.http().governor().pointsLeft(installationKey(app.installationId(owner)));
  }

  @Override
  public RegistrationToken registrationToken(RunnerOwner owner) {
    RegistrationToken cached = registrationTokens.get(owner);
    if (cached != null && cached.usableAt(app.clock().instant())) {
      return cached;
    }
    JsonNode body = expect(call(owner, "POST",
        owner.apiPath() + "/actions/runners/registration-token", null), 201,
        "registration token for " + owner);
    RegistrationToken token = new RegistrationToken(body.path("token").asText(),
        GitHubApp.parseTime(body.path("expires_at").asText(null)));
    registrationTokens.put(owner, token);
    return token;
  }

  @Override
  public JitConfig jitConfig(RunnerOwner owner, JitRequest request) {
    ObjectNode json = Json.MAPPER.createObjectNode()
        .put("name", request.name())
        .put("runner_group_id", request.runnerGroupId())
        .put("work_folder", request.workFolder());
    request.labels().forEach(json.putArray("labels")::add);
    GitHubHttp.Response answer = call(owner, "POST",
        owner.apiPath() + "/actions/runners/generate-jitconfig", json.toString());
    if (answer.status() == 409) {
      throw new RunnerNameTaken(owner, request.name());
    }
    JsonNode body = expect(answer, 201, "JIT config for " + owner);
    return new JitConfig(runner(body.path("runner")), body.path("encoded_jit_config").asText());
  }

  @Override
  public List<GitHubRunner> listRunners(RunnerOwner owner) {
    List<GitHubRunner> runners = new ArrayList<>();
    String next = owner.apiPath() + "/actions/runners?per_page=100";
    while (next != null) {
      GitHubHttp.Response answer = call(owner, "GET", next, null);
      for (JsonNode runner : expect(answer, 200, "runners of " + owner).path("runners")) {
        runners.add(runner(runner));
      }
      next = nextPage(answer);
    }
    return runners;
  }

  /** GitHub filters by exact name ({@code ?name=}), so this is one GET whatever the runner count. */
  @Override
  public Optional<GitHubRunner> runnerNamed(RunnerOwner owner, String name) {
    GitHubHttp.Response answer = call(owner, "GET", owner.apiPath() + "/actions/runners?name="
        + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&per_page=100", null);
    for (JsonNode runner : expect(answer, 200, "runners of " + owner).path("runners")) {
      if (runner.path("name").asText().equals(name)) {
        return Optional.of(runner(runner));
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId) {
    GitHubHttp.Response answer =
        call(owner, "GET", owner.apiPath() + "/actions/runners/" + runnerId, null);
    if (answer.status() == 404) {
      return Optional.empty();
    }
    return Optional.of(runner(expect(answer, 200, "runner " + runnerId + " of " + owner)));
  }

  @Override
  public DeleteResult deleteRunner(RunnerOwner owner, long runnerId) {
    GitHubHttp.Response answer;
    try {
      answer = call(owner, "DELETE", owner.apiPath() + "/actions/runners/" + runnerId, null);
    } catch (TransientFailure e) {
      LOG.warn("runner deletion failed", entry("owner", owner), entry("runner_id", runnerId),
          Log.error(e));
      return DeleteResult.FAILED;
    }
    DeleteResult result = switch (answer.status()) {
      case 204 -> DeleteResult.DELETED;
      case 404 -> DeleteResult.NOT_FOUND;
      case 422 -> DeleteResult.BUSY;
      case 401, 403 -> throw failure(answer, "deleting runner " + runnerId + " of " + owner);
      default -> DeleteResult.FAILED;
    };
    LOG.info("runner deletion answered", entry("owner", owner), entry("runner_id", runnerId),
        entry("status", answer.status()), entry("result", result));
    return result;
  }

  @Override
  public Optional<WorkflowJob> job(RunnerOwner repository, long jobId) {
    if (!repository.isRepository()) {
      throw new IllegalArgumentException("a job belongs to a repository, got " + repository);
    }
    GitHubHttp.Response answer =
        call(repository, "GET", repository.apiPath() + "/actions/jobs/" + jobId, null);
    if (answer.status() == 404) {
      return Optional.empty();
    }
    JsonNode body = expect(answer, 200, "job " + jobId + " of " + repository);
    List<String> labels = new ArrayList<>();
    body.path("labels").forEach(label -> labels.add(label.asText()));
    return Optional.of(new WorkflowJob(body.path("id").asLong(), body.path("run_id").asLong(),
        body.path("status").asText(), labels,
        GitHubApp.parseTime(body.path("created_at").asText(null)),
        GitHubApp.parseTime(body.path("started_at").asText(null)),
        body.path("runner_name").isTextual() ? body.path("runner_name").asText() : null));
  }

  @Override
  public long runnerGroupId(RunnerOwner owner, String groupName) {
    if (owner.isRepository()) {
      return 1; // repository runners belong to the default group; only orgs have groups
    }
    String key = owner.login() + "/" + groupName.toLowerCase(Locale.ROOT);
    Long cached = groupIds.get(key);
    if (cached != null) {
      return cached;
    }
    String next = owner.apiPath() + "/actions/runner-groups?per_page=100";
    while (next != null) {
      GitHubHttp.Response answer = call(owner, "GET", next, null);
      for (JsonNode group : expect(answer, 200, "runner groups of " + owner)
          .path("runner_groups")) {
        if (group.path("name").asText().equalsIgnoreCase(groupName)) {
          long id = group.path("id").asLong();
          groupIds.put(key, id);
          return id;
        }
      }
      next = nextPage(answer);
    }
    throw new PermanentFailure("runner group '" + groupName + "' not found in " + owner);
  }

  // ---- re-runs of jobs spot interrupted (docs/interruptions.md) ----

  @Override
  public Optional<JobOutcome> jobOutcome(RunnerOwner repository, long jobId) {
    if (!repository.isRepository()) {
      throw new IllegalArgumentException("a job belongs to a repository, got " + repository);
    }
    GitHubHttp.Response answer =
        call(repository, "GET", repository.apiPath() + "/actions/jobs/" + jobId, null);
    if (answer.status() == 404) {
      return Optional.empty();
    }
    JsonNode body = expect(answer, 200, "job " + jobId + " of " + repository);
    return Optional.of(new JobOutcome(body.path("id").asLong(), body.path("run_id").asLong(),
        body.path("status").asText(), body.path("conclusion").isTextual()
            ? body.path("conclusion").asText() : null,
        body.path("runner_name").isTextual() ? body.path("runner_name").asText() : null,
        body.path("name").asText("")));
  }

  @Override
  public RerunAnswer rerunJob(RunnerOwner repository, long jobId) {
    if (!repository.isRepository()) {
      throw new IllegalArgumentException("a job belongs to a repository, got " + repository);
    }
    GitHubHttp.Response answer = call(repository, "POST",
        repository.apiPath() + "/actions/jobs/" + jobId + "/rerun", "{}");
    RerunAnswer result = switch (answer.status()) {
      case 201, 204 -> RerunAnswer.ACCEPTED;
      case 403, 409, 422 -> RerunAnswer.REFUSED;
      default -> throw failure(answer, "re-running job " + jobId + " of " + repository);
    };
    LOG.info("job re-run answered", entry("repository", repository), entry("job_id", jobId),
        entry("status", answer.status()), entry("result", result));
    return result;
  }

  /** One installation call; a refused token (401) is replaced once. */
  private GitHubHttp.Response call(RunnerOwner owner, String method, String path, String body) {
    long installation = app.installationId(owner);
    for (int attempt = 1; ; attempt++) {
      InstallationToken token = app.token(installation);
      GitHubHttp.Response answer = app.http().send(installationKey(installation), method, path,
          "Bearer " + token.token().reveal(), body);
      if (answer.status() != 401) {
        return answer;
      }
      app.forgetToken(installation, token);
      if (attempt == 2) {
        throw failure(answer, method + " " + owner.apiPath());
      }
    }
  }

  static String installationKey(long installationId) {
    return "installation:" + installationId;
  }

  private static JsonNode expect(GitHubHttp.Response answer, int status, String what) {
    if (answer.status() != status) {
      throw failure(answer, what);
    }
    try {
      return Json.MAPPER.readTree(answer.body());
    } catch (IOException e) {
      throw new TransientFailure("GitHub's answer for " + what + " is not JSON");
    }
  }

  /** The failure for an unexpected answer: 4xx will not change by retrying, the rest might. */
  static RuntimeException failure(GitHubHttp.Response answer, String what) {
    String message = "GitHub answered " + answer.status() + " for " + what + githubMessage(answer);
    if (answer.status() >= 400 && answer.status() < 500 && answer.status() != 429
        && answer.status() != 408) {
      return new PermanentFailure(message);
    }
    return new TransientFailure(message);
  }

  private static String githubMessage(GitHubHttp.Response answer) {
    try {
      String message = Json.MAPPER.readTree(answer.body()).path("message").asText("");
      return message.isEmpty() ? "" : ": " + (message.length() > 200
          ? message.substring(0, 200) : message);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String nextPage(GitHubHttp.Response answer) {
    return answer.header("link").map(NEXT_LINK::matcher).filter(Matcher::find)
        .map(m -> m.group(1)).orElse(null);
  }

  private static GitHubRunner runner(JsonNode json) {
    List<String> labels = new ArrayList<>();
    json.path("labels").forEach(label -> labels.add(label.path("name").asText()));
    return new GitHubRunner(json.path("id").asLong(), json.path("name").asText(),
        json.path("status").asText(), json.path("busy").asBoolean(), labels);
  }
}
