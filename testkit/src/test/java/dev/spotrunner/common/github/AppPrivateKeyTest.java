package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.testkit.github.AppKeys;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import org.junit.jupiter.api.Test;

class AppPrivateKeyTest {
  private static final AppKeys KEYS = AppKeys.generate();

  @Test
  void readsPkcs8Pem() throws Exception {
    assertSignsForThePublicKey(AppPrivateKey.parse(KEYS.pkcs8Pem()));
  }

  @Test
  void readsPkcs1PemAsGitHubHandsItOut() throws Exception {
    assertThat(KEYS.pkcs1Pem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertSignsForThePublicKey(AppPrivateKey.parse(KEYS.pkcs1Pem()));
  }

  @Test
  void readsBase64EncodedPemOfEitherFormat() throws Exception {
    assertSignsForThePublicKey(AppPrivateKey.parse(AppKeys.base64(KEYS.pkcs1Pem())));
    assertSignsForThePublicKey(AppPrivateKey.parse(AppKeys.base64(KEYS.pkcs8Pem())));
  }

  @Test
  void readsPemWhoseNewlinesWereEscaped() throws Exception {
    assertSignsForThePublicKey(AppPrivateKey.parse(KEYS.pkcs1Pem().replace("\n", "\\n")));
  }

  @Test
  void refusesGarbageWithoutEchoingIt() {
    String broken = KEYS.pkcs8Pem().replace("MII", "XXX");
    assertThatThrownBy(() -> AppPrivateKey.parse(broken))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageContaining("not a valid RSA key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(broken.substring(40, 80)));
    assertThatThrownBy(() -> AppPrivateKey.parse("not a key at all!"))
        .isInstanceOf(PermanentFailure.class)
        .hasMessageNotContaining("not a key at all");
    assertThatThrownBy(() -> AppPrivateKey.parse("  "))
        .isInstanceOf(PermanentFailure.class).hasMessageContaining("empty");
  }

  private static void assertSignsForThePublicKey(RSAPrivateKey key) throws Exception {
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(KEYS.publicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).isTrue();
  }
}
