package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a trace CSV (the shipped trace's columns) from a repository's GitHub Actions history:
 * the workflow runs created in the last days and each run's jobs, page by page ({@code Link:
 * rel="next"}). Budget-aware: at most {@code pointsPerMinute} requests a minute (a GET is one point
 * of GitHub's secondary limit), a {@code retry-after} or a 403/429 secondary-limit answer waits as
 * told (a minute without one), an exhausted primary limit waits for {@code x-ratelimit-reset}.
 * Resumable: a run's jobs are appended at once, and a second call skips the runs the file holds.
 * The token is sent as a header and never printed.
 */
public final class GitHubTrace {
  static final String HEADER = "job_id,run_id,name,status,queued_at,started_at,completed_at,wait_s,"
      + "duration_s,labels,queued_at_source";
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
  private static final int MAX_ATTEMPTS = 8;

  private final URI api;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration spacing;
  private Instant lastCall = Instant.MIN;
  private long requests;
  private long waitedMillis;

  public GitHubTrace(URI api, String token, int pointsPerMinute, Clock clock, Sleeper sleeper) {
    this.api = api;
    this.token = token;
    this.clock = clock;
    this.sleeper = sleeper;
    this.spacing = Duration.ofMillis(60_000L / Math.max(1, pointsPerMinute));
  }

  /** What one fetch did. */
  public record Outcome(int runs, int runsSkipped, int jobs, long requests, long waitedMillis) {}

  public Outcome fetch(String repository, int sinceDays, Path out)
      throws IOException, InterruptedException {
    if (!repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("--repo must be OWNER/NAME, got " + repository);
    }
    Set<Long> done = runsIn(out);
    if (!Files.exists(out)) {
      Files.writeString(out, HEADER + "\n", StandardCharsets.UTF_8);
    }
    LocalDate since = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(sinceDays);
    String next = api.resolve("/repos/" + repository + "/actions/runs?per_page=100&created=%3E%3D"
        + since).toString();
    int runs = 0;
    int skipped = 0;
    int jobs = 0;
    while (next != null) {
      Page page = get(next);
      for (JsonNode run : page.body().path("workflow_runs")) {
        long runId = run.path("id").asLong();
        if (done.contains(runId)) {
          skipped++;
          continue;
        }
        if (!"completed".equals(run.path("status").asText())) {
          continue; // a run still going is fetched by a later call
        }
        List<String> rows = new ArrayList<>();
        String jobsUrl = api.resolve("/repos/" + repository + "/actions/runs/" + runId
            + "/jobs?per_page=100&filter=all").toString();
        while (jobsUrl != null) {
          Page jobsPage = get(jobsUrl);
          for (JsonNode job : jobsPage.body().path("jobs")) {
            String row = row(job);
            if (row != null) {
              rows.add(row);
            }
          }
          jobsUrl = jobsPage.next();
        }
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8,
            StandardOpenOption.APPEND)) {
          for (String row : rows) {
            writer.write(row);
            writer.write('\n');
          }
        }
        done.add(runId);
        runs++;
        jobs += rows.size();
      }
      next = page.next();
    }
    return new Outcome(runs, skipped, jobs, requests, waitedMillis);
  }

  /** One CSV row of a finished job; null for a job that never started or did not finish. */
  static String row(JsonNode job) {
    String created = job.path("created_at").asText(null);
    String started = job.path("started_at").asText(null);
    String completed = job.path("completed_at").asText(null);
    if (created == null || started == null || completed == null
        || !"completed".equals(job.path("status").asText())) {
      return null;
    }
    Instant queued = Instant.parse(created);
    Instant start = Instant.parse(started);
    Instant end = Instant.parse(completed);
    List<String> labels = new ArrayList<>();
    job.path("labels").forEach(l -> labels.add(l.asText()));
    return String.join(",", job.path("id").asText(), job.path("run_id").asText(),
        csv(job.path("name").asText()), csv(job.path("conclusion").asText("").toUpperCase()),
        queued.toString(), start.toString(), end.toString(),
        Long.toString(Math.max(0, Duration.between(queued, start).toSeconds())),
        Long.toString(Math.max(0, Duration.between(start, end).toSeconds())),
        csv(String.join(";", labels)), "job.created_at");
  }

  private static String csv(String value) {
    return value.contains(",") || value.contains("\"") || value.contains("\n")
        ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  /** The run ids a trace file already holds (resuming), none when it does not exist. */
  static Set<Long> runsIn(Path out) throws IOException {
    Set<Long> runs = new HashSet<>();
    if (!Files.exists(out)) {
      return runs;
    }
    ObjectReader csv =
        new CsvMapper().readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader());
    try (Reader reader = Files.newBufferedReader(out, StandardCharsets.UTF_8);
        MappingIterator<Map<String, String>> rows =
            csv.readValues(reader)) {
      while (rows.hasNext()) {
        String run = rows.next().get("run_id");
        if (run != null && !run.isBlank()) {
          runs.add(Long.parseLong(run.trim()));
        }
      }
    }
    return runs;
  }

  private record Page(JsonNode body, String next) {}

  private Page get(String url) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      pace();
      HttpRequest request = HttpRequest.newBuilder(URI.create(url))
          .header("Accept", "application/vnd.github+json")
          .header("X-GitHub-Api-Version", "2022-11-28")
          .header("Authorization", "Bearer " + token)
          .timeout(Duration.ofSeconds(30)).GET().build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      requests++;
      int status = response.statusCode();
      if (status == 200) {
        String link = response.headers().firstValue("link").orElse("");
        Matcher next = NEXT.matcher(link);
        waitForPrimaryLimit(response);
        return new Page(Json.MAPPER.readTree(response.body()), next.find() ? next.group(1) : null);
      }
      boolean limited = status == 429 || status == 403
          && (response.headers().firstValue("retry-after").isPresent()
              || "0".equals(response.headers().firstValue("x-ratelimit-remaining").orElse(""))
              || response.body().contains("rate limit"));
      if ((limited || status >= 500) && attempt < MAX_ATTEMPTS) {
        Duration wait = retryAfter(response).orElse(status >= 500
            ? Duration.ofSeconds(1L << Math.min(attempt, 6)) : Duration.ofMinutes(1));
        sleep(wait);
        continue;
      }
      throw new IOException("GitHub answered " + status + " to GET " + URI.create(url).getPath()
          + (status == 401 ? " (is the token valid?)" : ""));
    }
  }

  private Optional<Duration> retryAfter(HttpResponse<String> response) {
    Optional<String> after = response.headers().firstValue("retry-after");
    if (after.isPresent()) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(after.get().trim())));
    }
    if ("0".equals(response.headers().firstValue("x-ratelimit-remaining").orElse(""))) {
      return response.headers().firstValue("x-ratelimit-reset").map(reset -> Duration.between(
          clock.instant(), Instant.ofEpochSecond(Long.parseLong(reset.trim()))).plusSeconds(1))
          .map(d -> d.isNegative() ? Duration.ZERO : d);
    }
    return Optional.empty();
  }

  /** The primary limit is spent: wait for its reset before the next request. */
  private void waitForPrimaryLimit(HttpResponse<String> response) throws InterruptedException {
    if ("0".equals(response.headers().firstValue("x-ratelimit-remaining").orElse(""))) {
      Optional<Duration> wait = retryAfter(response);
      if (wait.isPresent()) {
        sleep(wait.get());
      }
    }
  }

  /** Keeps at most {@code pointsPerMinute} requests in any minute. */
  private void pace() throws InterruptedException {
    Instant earliest = lastCall.equals(Instant.MIN) ? Instant.MIN : lastCall.plus(spacing);
    Instant now = clock.instant();
    if (now.isBefore(earliest)) {
      sleep(Duration.between(now, earliest));
    }
    lastCall = clock.instant();
  }

  private void sleep(Duration duration) throws InterruptedException {
    if (!duration.isZero() && !duration.isNegative()) {
      waitedMillis += duration.toMillis();
      sleeper.sleep(duration);
    }
  }
}
