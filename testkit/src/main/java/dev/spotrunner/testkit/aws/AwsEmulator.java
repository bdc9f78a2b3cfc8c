package dev.spotrunner.testkit.aws;

import java.net.URI;

/** A running AWS emulator: moto_server here, LocalStack where Docker is. */
public interface AwsEmulator extends AutoCloseable {
  /** The single endpoint every service answers on, such as {@code http://127.0.0.1:41234}. */
  URI endpoint();

  /** Forgets every resource, so the next test class starts from an empty account. */
  void reset();

  /** Which emulator this is, for messages. */
  String name();

  @Override
  void close();
}
