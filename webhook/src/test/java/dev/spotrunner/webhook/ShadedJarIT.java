package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar Lambda loads holds only what the webhook needs (runs after package, on the real jar). */
class ShadedJarIT {
  private static final Path JAR = Path.of("target/spotrunner-webhook.jar");

  private static List<String> entries() throws IOException {
    assertThat(JAR).as("the shaded jar is built in the package phase").exists();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      return jar.stream().map(JarEntry::getName).toList();
    }
  }

  @Test
  void holdsNoGitHubClientJwtEc2S3OtherHttpClientsOrJacksonDatabind() throws IOException {
    assertThat(entries()).noneMatch(n -> n.startsWith("org/kohsuke/")
        || n.startsWith("io/jsonwebtoken/")
        || n.startsWith("software/amazon/awssdk/services/ec2/")
        || n.startsWith("software/amazon/awssdk/services/s3/")
        || n.startsWith("software/amazon/awssdk/http/nio/")
        || n.startsWith("software/amazon/awssdk/http/apache")
        || n.startsWith("software/amazon/awssdk/http/crt/")
        || n.startsWith("io/netty/")
        || n.startsWith("org/apache/http")
        || n.startsWith("com/fasterxml/jackson/databind/")
        || n.startsWith("com/fasterxml/jackson/datatype/"));
  }

  @Test
  void holdsTheHandlerAndWhatItCalls() throws IOException {
    assertThat(entries()).contains(
        "dev/spotrunner/webhook/WebhookHandler.class",
        "dev/spotrunner/webhook/WebhookAws.class",
        "dev/spotrunner/common/queue/SqsJobQueue.class",
        "dev/spotrunner/common/parameters/SsmParameters.class",
        "software/amazon/awssdk/services/sqs/SqsClient.class",
        "software/amazon/awssdk/services/ssm/SsmClient.class",
        "software/amazon/awssdk/http/urlconnection/UrlConnectionHttpClient.class",
        "com/fasterxml/jackson/core/JsonFactory.class",
        "com/amazonaws/services/lambda/runtime/events/APIGatewayV2HTTPEvent.class",
        "org/crac/Resource.class");
  }

  @Test
  void leavesTestLibrariesOut() throws IOException {
    assertThat(entries()).noneMatch(n -> n.startsWith("org/testcontainers/")
        || n.startsWith("org/junit/") || n.startsWith("net/jqwik/") || n.startsWith("org/mockito/"));
    // 12 MiB with the SDK's SQS and SSM clients; the EC2 client alone is 25 MiB
    assertThat(Files.size(JAR)).isLessThan(14L * 1024 * 1024);
  }

  /**
   * The priming (every hot path: queued job, job start, forged and malformed deliveries, ping) run
   * from the jar alone, in a class loader that sees nothing of the build's class path: a class the
   * jar left out (jackson-databind, say) fails it here, not in a deployed webhook.
   */
  @Test
  void primesFromTheJarAlone() throws Exception {
    try (java.net.URLClassLoader jar = new java.net.URLClassLoader(
        new java.net.URL[] {JAR.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> priming = Class.forName("dev.spotrunner.webhook.Priming", true, jar);
      java.lang.reflect.Method run = priming.getDeclaredMethod("run", int.class);
      run.setAccessible(true);
      Object result = run.invoke(null, 1);
      java.lang.reflect.Method replies = result.getClass().getDeclaredMethod("replies");
      replies.setAccessible(true);
      assertThat(replies.invoke(result)).hasToString("{200=1, 202=2, 400=1, 401=1}");
    }
  }
}
