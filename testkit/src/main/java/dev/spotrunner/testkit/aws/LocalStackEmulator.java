package dev.spotrunner.testkit.aws;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack in Docker through Testcontainers, for machines with Docker and without moto. A class
 * of its own so the Testcontainers classes load only when this fallback is taken.
 */
final class LocalStackEmulator implements AwsEmulator {
  static final String IMAGE = "localstack/localstack:4.4";

  private final LocalStackContainer container;

  private LocalStackEmulator(LocalStackContainer container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  static LocalStackEmulator start() {
    LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(IMAGE))
        .withServices(LocalStackContainer.Service.EC2, LocalStackContainer.Service.SQS,
            LocalStackContainer.Service.SSM, LocalStackContainer.Service.S3);
    container.start();
    return new LocalStackEmulator(container);
  }

  @Override
  public URI endpoint() {
    return container.getEndpoint();
  }

  @Override
  public void reset() {
    // LocalStack's state reset endpoint (persistence off): every service starts empty again.
    try {
      HttpResponse<Void> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(endpoint().resolve("/_localstack/state/reset"))
              .timeout(Duration.ofSeconds(60))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() >= 300) {
        throw new IllegalStateException("LocalStack reset answered " + response.statusCode());
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("LocalStack reset failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during LocalStack reset", e);
    }
  }

  @Override
  public String name() {
    return "LocalStack " + endpoint();
  }

  @Override
  public void close() {
    container.stop();
  }
}
