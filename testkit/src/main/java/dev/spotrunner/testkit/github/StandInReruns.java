package dev.spotrunner.testkit.github;

import com.sun.net.httpserver.HttpExchange;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /repos/{owner}/{repo}/actions/jobs/{job_id}/rerun} of a {@link GitHubStandIn}, as
 * GitHub answers it: 201 and a new queued attempt of the job (a new job id, same run and labels)
 * when the job completed; 403 while it has not; 404 for a job the repository does not have.
 * Installation token only; the stand-in's rate limits apply (a POST costs 5 points). Every
 * accepted call is {@link #rerunJobs() recorded}.
 */
public final class StandInReruns {
  private static final Map<GitHubStandIn, StandInReruns> ALL = new WeakHashMap<>();
  private static final Pattern RERUN =
      Pattern.compile("/repos/([^/]+)/([^/]+)/actions/jobs/(\\d+)/rerun");

  /** Authenticates an installation caller of the owner; null when it answered 401 already. */
  @FunctionalInterface
  interface Caller {
    String of(HttpExchange exchange, String ownerLogin) throws IOException;
  }

  private final List<Long> rerunJobs = new ArrayList<>();
  private final Map<Long, Long> newAttempts = new java.util.LinkedHashMap<>(); // job id -> its re-run's id
  private long nextJobId = 70_000_000L;

  private StandInReruns() {}

  /** The re-run log of this stand-in. */
  public static StandInReruns of(GitHubStandIn github) {
    synchronized (ALL) {
      return ALL.computeIfAbsent(github, g -> new StandInReruns());
    }
  }

  /** The job ids GitHub accepted a re-run of, in order. */
  public synchronized List<Long> rerunJobs() {
    return List.copyOf(rerunJobs);
  }

  /** Each re-run job's id to the id of the new attempt GitHub queued for it. */
  public synchronized Map<Long, Long> newAttempts() {
    return Map.copyOf(newAttempts);
  }

  /** Answers the request when it is a re-run; false leaves it to the other routes. */
  static boolean answer(GitHubStandIn github, HttpExchange exchange, String path, Caller caller)
      throws IOException {
    Matcher m = RERUN.matcher(path);
    if (!m.matches() || !exchange.getRequestMethod().equals("POST")) {
      return false;
    }
    String who = caller.of(exchange, m.group(1));
    github.limits.count("rerun-job", who == null ? "refused" : who);
    if (who == null) {
      return true;
    }
    StandInLimits.Verdict verdict = github.limits.admit(who, "POST");
    if (verdict != null) {
      if (verdict.retryAfterSeconds() > 0) {
        exchange.getResponseHeaders().set("retry-after", String.valueOf(verdict.retryAfterSeconds()));
      }
      StandInRoutes.message(exchange, verdict.status(), verdict.message());
      return true;
    }
    long id = Long.parseLong(m.group(3));
    Optional<StandInJob> job = github.job(id)
        .filter(j -> j.owner().equals(m.group(1)) && j.repo().equals(m.group(2)));
    if (job.isEmpty()) {
      StandInRoutes.message(exchange, 404, "Not Found");
      return true;
    }
    if (!"completed".equals(job.get().status())) {
      StandInRoutes.message(exchange, 403, "This workflow run is not complete");
      return true;
    }
    of(github).accept(github, job.get());
    StandInRoutes.json(exchange, 201, Json.MAPPER.createObjectNode());
    return true;
  }

  private void accept(GitHubStandIn github, StandInJob job) {
    long newId;
    synchronized (this) {
      rerunJobs.add(job.id());
      newId = nextJobId++;
      newAttempts.put(job.id(), newId);
    }
    github.addJob(job.owner(), job.repo(), newId, job.labels());
  }
}
