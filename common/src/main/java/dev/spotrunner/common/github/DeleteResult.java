package dev.spotrunner.common.github;

/** How GitHub answered a runner deletion. */
public enum DeleteResult {
  /** 204: the runner is gone. */
  DELETED,
  /** 404: it was already gone. */
  NOT_FOUND,
  /** 422: the runner is running a job and was kept. */
  BUSY,
  /** Anything else (after retries): the runner may still exist; keep its instance. */
  FAILED
}
