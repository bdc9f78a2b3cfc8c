package dev.spotrunner.testkit.github;

/**
 * Told about every job the stand-in adds or changes, outside the stand-in's lock; the local stack
 * uses it to send a signed {@code workflow_job} webhook. {@code previousStatus} is null for a new job.
 */
@FunctionalInterface
public interface JobListener {
  void jobChanged(StandInJob job, String previousStatus);
}
