package dev.spotrunner.testkit.aws;

/**
 * The one emulator of this test JVM, started on first use and stopped when the JVM exits: moto
 * when installed, else LocalStack when Docker answers, else a failure that says what to install.
 * Tests never skip for want of an emulator.
 */
public final class AwsEmulators {
  private static AwsEmulator shared;

  private AwsEmulators() {}

  public static synchronized AwsEmulator shared() {
    if (shared == null) {
      shared = startAny();
      AwsEmulator started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "aws-emulator-stop"));
    }
    return shared;
  }

  private static AwsEmulator startAny() {
    if (MotoServer.command().isPresent()) {
      return MotoServer.start();
    }
    if (LocalStackEmulator.dockerAvailable()) {
      return LocalStackEmulator.start();
    }
    throw new IllegalStateException("No AWS emulator for the integration tests: install moto "
        + "(pip install 'moto[server]>=5', which provides moto_server) or start Docker for LocalStack.");
  }
}
