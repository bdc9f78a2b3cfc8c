package dev.spotrunner.webhook.bench;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.MotoServer;
import java.io.IOException;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The AWS a benchmark's webhook talks to over loopback HTTP, with its queue and secret in place. */
interface Backend extends AutoCloseable {
  String name();

  URI endpoint();

  String queueUrl();

  @Override
  void close();

  /** {@code stub}: {@link LoopbackAws}; {@code moto}: a moto_server of its own. */
  static Backend start(String kind, String secretParam, String secret) throws IOException {
    return switch (kind) {
      case "stub" -> stub(new LoopbackAws().withParameter(secretParam, secret));
      case "moto" -> moto(MotoServer.start(), secretParam, secret);
      default -> throw new IllegalArgumentException("unknown backend " + kind + " (stub, moto)");
    };
  }

  private static Backend stub(LoopbackAws stub) {
    return new Backend() {
      @Override
      public String name() {
        return "the loopback stub";
      }

      @Override
      public URI endpoint() {
        return stub.endpoint();
      }

      @Override
      public String queueUrl() {
        return stub.endpoint() + "/123456789012/bench-linux";
      }

      @Override
      public void close() {
        stub.close();
      }
    };
  }

  private static Backend moto(MotoServer moto, String secretParam, String secret) {
    String queueUrl;
    try (AwsClients clients = AwsClients.forEndpoint(moto.endpoint(), Region.US_EAST_1,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))) {
      queueUrl = clients.sqs().createQueue(r -> r.queueName("bench-linux")).queueUrl();
      clients.ssm().putParameter(r -> r.name(secretParam).value(secret)
          .type(ParameterType.SECURE_STRING).overwrite(true));
    }
    return new Backend() {
      @Override
      public String name() {
        return "moto";
      }

      @Override
      public URI endpoint() {
        return moto.endpoint();
      }

      @Override
      public String queueUrl() {
        return queueUrl;
      }

      @Override
      public void close() {
        moto.close();
      }
    };
  }
}
