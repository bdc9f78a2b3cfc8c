package dev.spotrunner.testkit.aws;

import dev.spotrunner.common.aws.AwsClients;
import java.net.URI;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Gives integration tests an AWS emulator: moto_server (or LocalStack) started once per test JVM
 * on a free loopback port, reset before each test class, stopped when the JVM exits.
 *
 * <pre>{@code
 * @ExtendWith(AwsEmulatorExtension.class)
 * class SqsJobQueueIT {
 *   @Test
 *   void sendsAMessage(AwsClients aws) { new SqsJobQueue(aws.sqs()) ... }
 * }
 * }</pre>
 *
 * <p>Resolves test and lifecycle parameters of type {@link AwsClients}, {@link AwsEmulator},
 * {@code SqsClient}, {@code SsmClient}, {@code Ec2Client} and {@code S3Client}; the static methods
 * serve fields and helpers. Clients use static test credentials, region {@value #REGION} and
 * path-style S3. Without an emulator every test fails, naming what to install; none is skipped.
 */
public final class AwsEmulatorExtension implements BeforeAllCallback, ParameterResolver {
  public static final String REGION = "us-east-1";

  private static AwsClients clients;

  @Override
  public void beforeAll(ExtensionContext context) {
    // Nested classes share their outer class's state.
    if (context.getTestClass().map(c -> c.getEnclosingClass() == null || !c.isMemberClass()
        || java.lang.reflect.Modifier.isStatic(c.getModifiers())).orElse(true)) {
      emulator().reset();
    }
  }

  /** The emulator of this JVM, started on first use. */
  public static AwsEmulator emulator() {
    return AwsEmulators.shared();
  }

  public static URI endpoint() {
    return emulator().endpoint();
  }

  /** Clients of this JVM for the emulator, built once, with the SDK's default retries. */
  public static synchronized AwsClients clients() {
    if (clients == null) {
      clients = clients(endpoint(), AwsClients.DEFAULT_MAX_ATTEMPTS);
    }
    return clients;
  }

  /**
   * New clients for {@code endpoint} (a {@link FaultProxy}, say) with {@code maxAttempts} SDK
   * attempts per call; the caller closes them.
   */
  public static AwsClients clients(URI endpoint, int maxAttempts) {
    return new AwsClients(AwsClients.forEndpoint(endpoint, Region.of(REGION), credentials())
        .config().withMaxAttempts(maxAttempts));
  }

  public static AwsCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == AwsClients.class || type == AwsEmulator.class
        || switch (type.getName()) {
          case "software.amazon.awssdk.services.sqs.SqsClient",
              "software.amazon.awssdk.services.ssm.SsmClient",
              "software.amazon.awssdk.services.ec2.Ec2Client",
              "software.amazon.awssdk.services.s3.S3Client" -> true;
          default -> false;
        };
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == AwsEmulator.class) {
      return emulator();
    }
    if (type == AwsClients.class) {
      return clients();
    }
    // By name: the EC2 and S3 SDKs are optional, and a webhook test must not need them.
    return switch (type.getName()) {
      case "software.amazon.awssdk.services.sqs.SqsClient" -> clients().sqs();
      case "software.amazon.awssdk.services.ssm.SsmClient" -> clients().ssm();
      case "software.amazon.awssdk.services.ec2.Ec2Client" -> clients().ec2();
      case "software.amazon.awssdk.services.s3.S3Client" -> clients().s3();
      default -> throw new IllegalArgumentException("cannot resolve " + type);
    };
  }
}
