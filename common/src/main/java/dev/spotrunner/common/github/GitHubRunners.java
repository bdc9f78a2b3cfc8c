package dev.spotrunner.common.github;

import dev.spotrunner.common.job.JobId;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.List;
import java.util.Optional;

/**
 * What spotrunner asks of GitHub about runners and jobs. Every call is made as the GitHub App
 * installation that covers the owner; the adapter finds and caches it (a hint from a webhook's
 * installation id avoids the lookup). Adapters throw {@link dev.spotrunner.common.TransientFailure}
 * for 5xx, rate limits past the retry budget and network errors, and
 * {@link dev.spotrunner.common.PermanentFailure} for 401/403/404 where the answer will not change.
 */
public interface GitHubRunners {

  /** Remembers the installation id a webhook named for this owner, sparing a lookup. */
  void knownInstallation(RunnerOwner owner, long installationId);

  /** POST {owner}/actions/runners/registration-token. Adapters cache it until shortly before expiry. */
  RegistrationToken registrationToken(RunnerOwner owner);

  /**
   * POST {owner}/actions/runners/generate-jitconfig. Throws {@link RunnerNameTaken} when GitHub
   * answers 409 (a runner of that name exists, e.g. from an earlier attempt whose answer was lost).
   */
  JitConfig jitConfig(RunnerOwner owner, JitRequest request);

  /**
   * The owner's runner of exactly this name, if any: GET {owner}/actions/runners?name=. Adapters
   * without a filter may list every runner.
   */
  default Optional<GitHubRunner> runnerNamed(RunnerOwner owner, String name) {
    return listRunners(owner).stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** GET {owner}/actions/runners, every page. */
  List<GitHubRunner> listRunners(RunnerOwner owner);

  /** GET {owner}/actions/runners/{id}; empty when GitHub answers 404. */
  Optional<GitHubRunner> getRunner(RunnerOwner owner, long runnerId);

  /** DELETE {owner}/actions/runners/{id}; 422 (runner busy) is {@link DeleteResult#BUSY}. */
  DeleteResult deleteRunner(RunnerOwner owner, long runnerId);

  /** GET repos/{owner}/{repo}/actions/jobs/{id}; empty when GitHub answers 404. */
  Optional<WorkflowJob> job(RunnerOwner repository, long jobId);

  /** {@link #job(RunnerOwner, long)} for a {@link JobId}. */
  default Optional<WorkflowJob> job(RunnerOwner repository, JobId jobId) {
    return job(repository, jobId.value());
  }

  /** The id of a runner group by name (orgs only; "Default" is 1), cached. */
  long runnerGroupId(RunnerOwner owner, String groupName);

  /**
   * Request points the owner's installation may still spend in the current minute of GitHub's
   * secondary limit (900 per minute; a GET costs 1, a DELETE 5). Scale-down defers deletions it
   * cannot afford to its next cycle. Without a limit to report, {@link Integer#MAX_VALUE}.
   */
  default int pointsLeft(RunnerOwner owner) {
    return Integer.MAX_VALUE;
  }

  // ---- re-runs of jobs spot interrupted (docs/interruptions.md) ----

  /**
   * A job as far as a re-run decision needs it: {@code conclusion} is null until the job completed,
   * {@code runnerName} the runner GitHub gave it (null while none had it); {@code name} (e.g.
   * {@code build (ubuntu, 22)}) stays the same across re-runs, which get new job ids in the same run.
   */
  record JobOutcome(long id, long runId, String status, String conclusion, String runnerName,
      String name) {
    public boolean completed() {
      return "completed".equals(status);
    }
  }

  /** How GitHub answered a re-run request. */
  enum RerunAnswer {
    /** 201: a new attempt of the job was queued. */
    ACCEPTED,
    /** 403/409/422: not now or never (the run is still active, too old, or the job cannot). */
    REFUSED
  }

  /** GET repos/{owner}/{repo}/actions/jobs/{id} with its conclusion; empty when GitHub answers 404. */
  default Optional<JobOutcome> jobOutcome(RunnerOwner repository, long jobId) {
    throw new UnsupportedOperationException(getClass().getName() + " does not read job outcomes");
  }

  /** POST repos/{owner}/{repo}/actions/jobs/{id}/rerun (5 points of the secondary limit). */
  default RerunAnswer rerunJob(RunnerOwner repository, long jobId) {
    throw new UnsupportedOperationException(getClass().getName() + " does not re-run jobs");
  }
}
