package dev.spotrunner.common.job;

/** Whether a pool registers its runners with the organisation or with the job's repository. */
public enum RunnerLevel {
  ORG,
  REPO;

  /** The owner a job's runner registers with at this level. */
  public RunnerOwner ownerFor(String ownerLogin, String repositoryName) {
    return this == ORG ? RunnerOwner.org(ownerLogin) : RunnerOwner.repo(ownerLogin, repositoryName);
  }
}
