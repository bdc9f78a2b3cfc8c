package dev.spotrunner.syncer;

/**
 * Thrown by the handler after every platform was tried, so the invocation fails (and EventBridge
 * retries) while the cache keeps whatever it held for the failed platforms.
 */
public final class SyncFailed extends RuntimeException {
  private final transient SyncSummary summary;

  public SyncFailed(SyncSummary summary) {
    super("runner sync failed for " + summary.count(PlatformResult.Status.FAILED) + " of "
        + summary.results().size() + " platforms: " + summary.failures());
    this.summary = summary;
  }

  public SyncSummary summary() {
    return summary;
  }
}
