package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.log.Secret;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignatureTest {
  private final Secret current = TestWebhooks.randomSecret();
  private final Secret previous = TestWebhooks.randomSecret();
  private final byte[] body = "{\"zen\":\"Design for failure.\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void matchesGitHubsDocumentedExample() {
    // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody"
    Signature signature = new Signature(List.of(new Secret("It's a Secret to Everybody")));

    assertThat(signature.matches("Hello, World!".getBytes(StandardCharsets.UTF_8),
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")).isTrue();
  }

  @Test
  void acceptsTheCurrentAndThePreviousSecretDuringRotation() {
    Signature signature = new Signature(List.of(current, previous));

    assertThat(signature.matches(body, Signature.sign(body, current))).isTrue();
    assertThat(signature.matches(body, Signature.sign(body, previous))).isTrue();
    assertThat(signature.matches(body, Signature.sign(body, TestWebhooks.randomSecret()))).isFalse();
  }

  @Test
  void refusesASignatureOfAnotherBody() {
    Signature signature = new Signature(List.of(current));
    byte[] other = "{\"zen\":\"Design for success.\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(signature.matches(body, Signature.sign(other, current))).isFalse();
  }

  @Test
  void refusesMalformedHeaders() {
    Signature signature = new Signature(List.of(current));
    String valid = Signature.sign(body, current);

    assertThat(signature.matches(body, null)).isFalse();
    assertThat(signature.matches(body, "")).isFalse();
    assertThat(signature.matches(body, valid.substring(7))).isFalse();
    assertThat(signature.matches(body, "sha1=" + valid.substring(7))).isFalse();
    assertThat(signature.matches(body, valid.substring(0, valid.length() - 1))).isFalse();
    assertThat(signature.matches(body, valid + "0")).isFalse();
    assertThat(signature.matches(body, valid.substring(0, 70) + "g")).isFalse();
    assertThat(signature.matches(body, "sha256=" + "z".repeat(64))).isFalse();
  }

  @Test
  void acceptsUpperCaseHex() {
    Signature signature = new Signature(List.of(current));

    assertThat(signature.matches(body, "sha256=" + Signature.sign(body, current).substring(7).toUpperCase()))
        .isTrue();
  }

  @Test
  void needsAtLeastOneSecret() {
    assertThatThrownBy(() -> new Signature(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverShowsTheSecretInItsText() {
    assertThat(current.toString()).doesNotContain(current.reveal());
  }
}
