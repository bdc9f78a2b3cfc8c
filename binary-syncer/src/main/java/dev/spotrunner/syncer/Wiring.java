package dev.spotrunner.syncer;

import dev.spotrunner.common.artifacts.S3ArtifactStore;
import dev.spotrunner.common.aws.AwsClients;

/** Builds the syncer once per container: no connection is opened until the first sync. */
final class Wiring {
  private Wiring() {}

  static BinarySyncer syncer(SyncerSettings settings) {
    return syncer(settings, AwsClients.fromEnv(System.getenv()));
  }

  static BinarySyncer syncer(SyncerSettings settings, AwsClients aws) {
    return new BinarySyncer(settings, new GitHubReleases(settings.gitHubApiUrl()),
        new S3ArtifactStore(aws.s3()));
  }
}
