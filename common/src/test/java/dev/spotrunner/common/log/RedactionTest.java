package dev.spotrunner.common.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  /** Shaped as GitHub's runner registration tokens: 29 upper-case letters and digits. */
  private static String registrationToken() {
    StringBuilder token = new StringBuilder();
    for (int i = 0; i < 29; i++) {
      token.append(TOKEN_ALPHABET.charAt(RANDOM.nextInt(TOKEN_ALPHABET.length())));
    }
    return token.toString();
  }

  private static String jitConfig() {
    byte[] bytes = new byte[600];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void masksABareRegistrationTokenAsItMasksAJitConfig() {
    for (int i = 0; i < 200; i++) {
      String token = registrationToken();
      String jit = jitConfig();

      String cleaned = Redaction.clean("config.sh --token " + token + " failed; jit " + jit + ".");

      assertFalse(cleaned.contains(token), cleaned);
      assertFalse(cleaned.contains(jit), cleaned);
      assertEquals("config.sh --token [redacted] failed; jit [redacted].", cleaned);
    }
  }

  @Test
  void aLogLineNeverShowsARegistrationTokenInItsMessageFieldsOrFailure() {
    String token = registrationToken();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Log.setOutput(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Log.of(RedactionTest.class).warn("registration refused " + token,
          Log.entry("config", "{\"mode\":\"registration\",\"token\":\"" + token + "\"}"),
          Log.error(new IllegalStateException("config.cmd --token " + token + " failed")));
    } finally {
      Log.setOutput(System.out);
    }
    String line = captured.toString(StandardCharsets.UTF_8);
    assertTrue(line.contains("registration refused [redacted]"), line);
    assertFalse(line.contains(token), line);
  }

  @Test
  void leavesTheFactsALogLineNeeds() {
    List<String> facts = List.of("i-0123456789abcdef0", "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
        "ParameterAlreadyExists", "InsufficientInstanceCapacity", "INSUFFICIENT_INSTANCE_CAPACITY",
        "job 123456789012345678901234567890", "AKIAIOSFODNN7EXAMPLE", "ci-linux-x64",
        "2026-12-06T00:40:03Z", "d6f8e2a0-3b1c-4f5e-9a7b-2c4d6e8f0a1b");
    for (String fact : facts) {
      assertEquals(fact, Redaction.clean(fact));
    }
  }
}
