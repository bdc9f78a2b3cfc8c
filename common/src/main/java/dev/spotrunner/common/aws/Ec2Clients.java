package dev.spotrunner.common.aws;

import software.amazon.awssdk.services.ec2.Ec2Client;

/** Builds the EC2 client; a class of its own so Lambdas without the EC2 SDK never load it. */
final class Ec2Clients {
  private Ec2Clients() {}

  static Ec2Client build(AwsClients clients) {
    return clients.configure(Ec2Client.builder()).build();
  }

  static void close(Ec2Client client) {
    client.close();
  }
}
