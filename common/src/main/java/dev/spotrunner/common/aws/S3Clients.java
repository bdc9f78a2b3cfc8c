package dev.spotrunner.common.aws;

import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3Client;

/** Builds the S3 client; a class of its own so Lambdas without the S3 SDK never load it. */
final class S3Clients {
  private S3Clients() {}

  static S3Client build(AwsClients clients) {
    // Emulators serve buckets in the path (http://host:port/bucket/key), not as sub-domains.
    // A runner tarball download may outlast the whole-call timeout; the read timeout still applies.
    ClientOverrideConfiguration streaming = clients.overrides().toBuilder()
        .apiCallTimeout(null)
        .build();
    return clients.configure(S3Client.builder())
        .forcePathStyle(clients.config().pathStyleS3())
        .overrideConfiguration(streaming)
        .build();
  }

  static void close(S3Client client) {
    client.close();
  }
}
