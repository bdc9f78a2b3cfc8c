package dev.spotrunner.runners.scaleup;

/** Builds scale-up from the real adapters. TEMPORARY until platform-aws/platform-github land. */
final class Wiring {
  private Wiring() {}

  static ScaleUp scaleUp(ScaleUpSettings settings) {
    throw new IllegalStateException("adapters not merged yet");
  }
}
