package dev.spotrunner.common.fleet;

/** The EC2 tag names spotrunner puts on runner instances; docs/scale-up.md (Launch) and docs/troubleshooting.md list them. */
public final class Tags {
  public static final String ENVIRONMENT = "spotrunner:environment";
  public static final String POOL = "spotrunner:pool";
  public static final String OWNER = "spotrunner:owner";
  public static final String OWNER_TYPE = "spotrunner:owner-type";
  public static final String JOB_ID = "spotrunner:job-id";
  /** {@code owner/name} of the job's repository, set beside {@link #JOB_ID} to look the job up later. */
  public static final String REPOSITORY = "spotrunner:repository";
  /**
   * The job the instance's runner took, which GitHub may have given it instead of {@link #JOB_ID}
   * (any queued job whose labels fit): set by scale-up from the webhook's job start.
   */
  public static final String RUNNING_JOB = "spotrunner:running-job";
  /** {@code owner/name} of {@link #RUNNING_JOB}'s repository. */
  public static final String RUNNING_REPOSITORY = "spotrunner:running-repository";
  public static final String RUNNER_NAME = "spotrunner:runner-name";
  public static final String RUNNER_ID = "spotrunner:runner-id";
  public static final String APPLICATION = "spotrunner:application";
  /**
   * On a runner config parameter, not an instance: the ARN of the one instance whose role may read
   * and delete it (IAM compares it with {@code ${ec2:SourceInstanceARN}}, docs/security.md).
   */
  public static final String CONFIG_INSTANCE = "spotrunner:instance";

  private Tags() {}
}
