package dev.spotrunner.testkit.github;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The workflow runs of the stand-in and GitHub's two Actions routes over them that a trace is read
 * from: {@code GET /repos/{owner}/{repo}/actions/runs} (newest first, {@code created} filter
 * {@code >=YYYY-MM-DD}) and {@code GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs}. Both
 * paginate as GitHub does: {@code per_page} (default 30, at most 100) and {@code page}, a
 * {@code Link} header with {@code rel="next"} and {@code rel="last"} while more pages follow, and
 * {@code total_count} in the body. A run's status and conclusion follow from its jobs (the
 * stand-in's {@link StandInJob}s with that run id).
 */
final class StandInWorkflowRuns {
  /** A workflow run; its jobs are the stand-in's jobs with its id. */
  record Run(long id, String owner, String repo, String name, Instant createdAt) {}

  private final Map<Long, Run> runs = new LinkedHashMap<>();
  private final Map<Long, String> jobNames = new LinkedHashMap<>();

  synchronized void add(Run run) {
    runs.put(run.id(), run);
  }

  synchronized void name(long jobId, String name) {
    jobNames.put(jobId, name);
  }

  synchronized List<Run> of(String owner, String repo) {
    return runs.values().stream().filter(r -> r.owner().equals(owner) && r.repo().equals(repo))
        .sorted(Comparator.comparing(Run::createdAt).reversed()).toList();
  }

  synchronized Run run(long id) {
    return runs.get(id);
  }

  synchronized String jobName(long jobId) {
    return jobNames.getOrDefault(jobId, "build");
  }

  /** {@code created=>=YYYY-MM-DD} (URL-decoded): runs created on or after that day. */
  static boolean createdMatches(Run run, String created) {
    if (created == null || created.isBlank()) {
      return true;
    }
    if (!created.startsWith(">=")) {
      throw new IllegalArgumentException("the stand-in understands created=>=YYYY-MM-DD only, got "
          + created);
    }
    Instant from = LocalDate.parse(created.substring(2)).atStartOfDay(ZoneOffset.UTC).toInstant();
    return !run.createdAt().isBefore(from);
  }

  /** One run as GitHub shows it in a list. */
  static ObjectNode runJson(Run run, List<StandInJob> jobs) {
    boolean completed = !jobs.isEmpty() && jobs.stream().allMatch(j -> "completed".equals(j.status()));
    boolean queued = jobs.stream().allMatch(j -> "queued".equals(j.status()));
    String status = completed ? "completed" : queued ? "queued" : "in_progress";
    String conclusion = !completed ? null
        : jobs.stream().allMatch(j -> "success".equals(j.conclusion())) ? "success" : "failure";
    Instant updated = jobs.stream().map(j -> j.completedAt() != null ? j.completedAt()
        : j.startedAt() != null ? j.startedAt() : j.createdAt()).max(Comparator.naturalOrder())
        .orElse(run.createdAt());
    ObjectNode json = Json.MAPPER.createObjectNode().put("id", run.id()).put("name", run.name())
        .put("run_number", run.id()).put("run_attempt", 1).put("event", "push")
        .put("status", status).put("conclusion", conclusion)
        .put("created_at", StandInRoutes.time(run.createdAt()))
        .put("run_started_at", StandInRoutes.time(run.createdAt()))
        .put("updated_at", StandInRoutes.time(updated))
        .put("html_url", "https://github.com/" + run.owner() + "/" + run.repo() + "/actions/runs/"
            + run.id())
        .put("jobs_url", "/repos/" + run.owner() + "/" + run.repo() + "/actions/runs/" + run.id()
            + "/jobs");
    json.putObject("repository").put("full_name", run.owner() + "/" + run.repo());
    return json;
  }

  /** One job as the run's jobs list shows it. */
  ObjectNode jobJson(StandInJob job) {
    ObjectNode json = Json.MAPPER.createObjectNode().put("id", job.id()).put("run_id", job.runId())
        .put("run_attempt", 1).put("name", jobName(job.id())).put("status", job.status())
        .put("conclusion", job.conclusion())
        .put("created_at", StandInRoutes.time(job.createdAt()))
        .put("started_at", StandInRoutes.time(job.startedAt()))
        .put("completed_at", StandInRoutes.time(job.completedAt()))
        .put("html_url", "https://github.com/" + job.owner() + "/" + job.repo() + "/actions/runs/"
            + job.runId() + "/job/" + job.id());
    if (job.runnerId() == null) {
      json.putNull("runner_id").putNull("runner_name");
    } else {
      json.put("runner_id", job.runnerId()).put("runner_name", job.runnerName());
    }
    job.labels().forEach(json.putArray("labels")::add);
    return json;
  }

  /** A page as GitHub cuts it: the items, {@code total_count}, and the Link header's value. */
  record Page(ObjectNode body, String link) {}

  static <T> Page page(List<T> items, String field, Function<T, ObjectNode> json,
      Map<String, String> query, String url) {
    int perPage = Math.min(100, Math.max(1, intOr(query.get("per_page"), 30)));
    int page = Math.max(1, intOr(query.get("page"), 1));
    ObjectNode body = Json.MAPPER.createObjectNode().put("total_count", items.size());
    ArrayNode array = body.putArray(field);
    items.stream().skip((long) (page - 1) * perPage).limit(perPage).map(json).forEach(array::add);
    int last = Math.max(1, (items.size() + perPage - 1) / perPage);
    List<String> links = new ArrayList<>();
    if (page < last) {
      links.add("<" + withPage(url, query, page + 1) + ">; rel=\"next\"");
      links.add("<" + withPage(url, query, last) + ">; rel=\"last\"");
    }
    if (page > 1) {
      links.add("<" + withPage(url, query, 1) + ">; rel=\"first\"");
      links.add("<" + withPage(url, query, page - 1) + ">; rel=\"prev\"");
    }
    return new Page(body, links.isEmpty() ? null : String.join(", ", links));
  }

  private static String withPage(String url, Map<String, String> query, int page) {
    Map<String, String> next = new LinkedHashMap<>(query);
    next.put("page", Integer.toString(page));
    StringBuilder out = new StringBuilder(url).append('?');
    next.forEach((k, v) -> out.append(k).append('=').append(v).append('&'));
    return out.substring(0, out.length() - 1);
  }

  private static int intOr(String value, int otherwise) {
    try {
      return value == null ? otherwise : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
