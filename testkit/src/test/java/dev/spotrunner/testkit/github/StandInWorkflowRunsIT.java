package dev.spotrunner.testkit.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.testkit.fakes.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Actions routes a trace is read from, and the primary limit, as GitHub answers them. */
class StandInWorkflowRunsIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final ManualClock clock = new ManualClock(Instant.parse("2025-09-10T12:00:00Z"));
  private GitHubStandIn github;
  private String token;

  @BeforeEach
  void start() {
    github = GitHubStandIn.start(clock, 0);
    token = github.issueToken(github.install("acme")).getKey();
    for (long run = 1; run <= 5; run++) {
      github.addWorkflowRun("acme", "app", run, "CI");
      github.addRunJob(run, 100 + run, "build " + run, List.of("self-hosted"));
      clock.advance(Duration.ofMinutes(1));
    }
    github.addWorkflowRun("acme", "other", 9, "CI");
  }

  @AfterEach
  void stop() {
    github.close();
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(github.apiUrl() + pathAndQuery))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void listsRunsNewestFirstInPagesWithGitHubsLinkHeader() throws Exception {
    HttpResponse<String> first = get("/repos/acme/app/actions/runs?per_page=2");
    JsonNode body = Json.MAPPER.readTree(first.body());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(body.path("total_count").asInt()).isEqualTo(5);
    assertThat(body.path("workflow_runs").findValuesAsText("id")).containsExactly("5", "4");
    String link = first.headers().firstValue("link").orElseThrow();
    assertThat(link).contains("page=2>; rel=\"next\"", "page=3>; rel=\"last\"");

    JsonNode last = Json.MAPPER.readTree(get("/repos/acme/app/actions/runs?per_page=2&page=3").body());
    assertThat(last.path("workflow_runs").findValuesAsText("id")).containsExactly("1");
  }

  @Test
  void aRunIsCompletedWhenEveryJobIsAndItsJobsCarryTheirTimesAndLabels() throws Exception {
    github.updateJob(101, "in_progress", null);
    clock.advance(Duration.ofSeconds(90));
    github.updateJob(101, "completed", "success");

    JsonNode runs = Json.MAPPER.readTree(get("/repos/acme/app/actions/runs").body());
    JsonNode jobs = Json.MAPPER.readTree(get("/repos/acme/app/actions/runs/1/jobs").body());

    JsonNode run1 = runs.path("workflow_runs").get(4);
    assertThat(run1.path("status").asText()).isEqualTo("completed");
    assertThat(run1.path("conclusion").asText()).isEqualTo("success");
    assertThat(runs.path("workflow_runs").get(0).path("status").asText()).isEqualTo("queued");
    JsonNode job = jobs.path("jobs").get(0);
    assertThat(job.path("name").asText()).isEqualTo("build 1");
    assertThat(job.path("started_at").asText()).isEqualTo("2025-09-10T12:05:00Z");
    assertThat(job.path("completed_at").asText()).isEqualTo("2025-09-10T12:06:30Z");
    assertThat(job.path("labels").get(0).asText()).isEqualTo("self-hosted");
  }

  @Test
  void filtersRunsByCreationDayAndAnswers404ForARunOfAnotherRepository() throws Exception {
    JsonNode none = Json.MAPPER.readTree(
        get("/repos/acme/app/actions/runs?created=%3E%3D2025-09-11").body());

    assertThat(none.path("total_count").asInt()).isZero();
    assertThat(get("/repos/acme/app/actions/runs/9/jobs").statusCode()).isEqualTo(404);
    assertThat(github.calls("list-workflow-runs")).isEqualTo(1);
  }

  @Test
  void pastThePrimaryLimitItAnswers403WithNothingRemainingUntilTheReset() throws Exception {
    github.primaryLimit(2);

    HttpResponse<String> first = get("/repos/acme/app/actions/runs");
    HttpResponse<String> second = get("/repos/acme/app/actions/runs");
    HttpResponse<String> third = get("/repos/acme/app/actions/runs");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(third.statusCode()).isEqualTo(403);
    assertThat(third.body()).contains("API rate limit exceeded");
    assertThat(third.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(third.headers().firstValue("x-ratelimit-reset"))
        .hasValue(Long.toString(Instant.parse("2025-09-10T13:00:00Z").getEpochSecond()));
    assertThat(third.headers().firstValue("retry-after")).isEmpty();

    // past the reset (with a new token: installation tokens live an hour) the hour starts afresh
    clock.advance(Duration.ofHours(1));
    token = github.issueToken(github.installation("acme").orElseThrow()).getKey();
    assertThat(get("/repos/acme/app/actions/runs").statusCode()).isEqualTo(200);
  }
}
