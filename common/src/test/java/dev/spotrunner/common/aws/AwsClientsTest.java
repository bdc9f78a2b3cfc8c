package dev.spotrunner.common.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

class AwsClientsTest {

  @Test
  void readsTheRegionAndUsesPathStyleS3OnlyWhenAnEndpointIsOverridden() {
    AwsClients.Config plain = AwsClients.configFromEnv(Map.of("AWS_REGION", "eu-west-1"));
    AwsClients.Config moto = AwsClients.configFromEnv(
        Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:5000"));
    AwsClients.Config s3Only = AwsClients.configFromEnv(
        Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:5000"));

    assertEquals(Region.EU_WEST_1, plain.region());
    assertFalse(plain.pathStyleS3());
    assertEquals(null, plain.endpoint(), "the SDK resolves endpoints itself");
    assertEquals(null, plain.credentials(), "the SDK's default chain");
    assertTrue(moto.pathStyleS3());
    assertTrue(s3Only.pathStyleS3());
    assertEquals(AwsClients.DEFAULT_MAX_ATTEMPTS, plain.maxAttempts());
  }

  @Test
  void aMissingRegionIsNamed() {
    IllegalStateException failure =
        assertThrows(IllegalStateException.class, () -> AwsClients.configFromEnv(Map.of()));
    assertTrue(failure.getMessage().contains("AWS_REGION"));
  }

  /**
   * The webhook jar has no EC2 or S3 SDK. Loaded where those classes do not exist, AwsClients
   * must still build and close its SQS and SSM clients — and fail only when EC2 is asked for.
   * (Reflection over AwsClients' methods would need them: its signatures name Ec2Client.)
   */
  @Test
  void worksWithoutTheEc2AndS3Sdks() throws Exception {
    ClassLoader loader = new WithoutEc2AndS3(getClass().getClassLoader());
    Class<?> use = loader.loadClass(WebhookLikeUse.class.getName());

    ((Runnable) use.getConstructor(boolean.class).newInstance(false)).run();

    Runnable asksForEc2 = (Runnable) use.getConstructor(boolean.class).newInstance(true);
    NoClassDefFoundError failure = assertThrows(NoClassDefFoundError.class, asksForEc2::run);
    assertTrue(failure.getMessage().contains("ec2"), failure.getMessage());
  }

  /** Loads dev.spotrunner.common.aws itself and hides the EC2 and S3 SDK packages. */
  private static final class WithoutEc2AndS3 extends ClassLoader {
    WithoutEc2AndS3(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("software.amazon.awssdk.services.ec2.")
            || name.startsWith("software.amazon.awssdk.services.s3.")) {
          throw new ClassNotFoundException(name);
        }
        if (name.startsWith("dev.spotrunner.common.aws.")) {
          Class<?> loaded = findLoadedClass(name);
          if (loaded == null) {
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
              byte[] bytes = in.readAllBytes();
              loaded = defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
              throw new ClassNotFoundException(name, e);
            }
          }
          return loaded;
        }
        return super.loadClass(name, resolve);
      }
    }
  }
}
