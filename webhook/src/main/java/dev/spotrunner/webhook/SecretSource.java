package dev.spotrunner.webhook;

import java.util.Optional;

/** Where the webhook gets its signature checker: SSM in production, a fixed secret when priming. */
interface SecretSource {
  Signature current();

  /** A newer checker after a mismatch, when the secrets may just have been rotated. */
  Optional<Signature> recheck();

  static SecretSource fixed(Signature signature) {
    return new SecretSource() {
      @Override
      public Signature current() {
        return signature;
      }

      @Override
      public Optional<Signature> recheck() {
        return Optional.empty();
      }
    };
  }
}
