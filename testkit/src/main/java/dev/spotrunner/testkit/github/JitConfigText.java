package dev.spotrunner.testkit.github;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * An {@code encoded_jit_config} shaped like GitHub's: base64 of a JSON object whose members are
 * the runner's three config files, each base64 of its indented JSON — {@code .runner} (agent id
 * and name, pool, server URLs), {@code .credentials} (OAuth client id and token URL) and
 * {@code .credentials_rsaparams} (the runner's RSA key). Random where GitHub's is secret, and
 * about 7 KB: GitHub's have been larger than 4 KB since mid-2025, which is what SSM's Standard
 * tier refuses, so tests see the size real configs have.
 */
public final class JitConfigText {
  /** The RSA parameters are sized for a 4096-bit key (512-byte modulus). */
  static final int MODULUS_BYTES = 512;
  private static final SecureRandom RANDOM = new SecureRandom();

  private JitConfigText() {}

  /** A config for the runner; {@code ownerPath} is {@code orgs/acme} or {@code repos/acme/api}. */
  public static String generate(long runnerId, String runnerName, String ownerPath,
      String apiRoot) {
    String owner = ownerPath.substring(ownerPath.indexOf('/') + 1);
    ObjectNode runner = Json.MAPPER.createObjectNode()
        .put("agentId", runnerId)
        .put("agentName", runnerName)
        .put("poolId", 1)
        .put("poolName", "Default")
        .put("serverUrl", "https://pipelinesghubeus" + (1 + RANDOM.nextInt(25))
            + ".actions.githubusercontent.com/" + GitHubStandIn.randomAlphanumeric(50) + "/")
        .put("gitHubUrl", apiRoot.replace("/api/v3", "") + "/" + owner)
        .put("workFolder", "_work")
        .put("ephemeral", true)
        .put("useV2Flow", true)
        .put("serverUrlV2", "https://broker.actions.githubusercontent.com/");
    ObjectNode credentials = Json.MAPPER.createObjectNode().put("scheme", "OAuth");
    credentials.putObject("data")
        .put("clientId", UUID.randomUUID().toString())
        .put("authorizationUrl", "https://vstoken.actions.githubusercontent.com/_apis/oauth2/token/"
            + UUID.randomUUID())
        .put("requireFipsCryptography", "True");
    ObjectNode rsa = Json.MAPPER.createObjectNode()
        .put("d", random(MODULUS_BYTES))
        .put("dp", random(MODULUS_BYTES / 2))
        .put("dq", random(MODULUS_BYTES / 2))
        .put("exponent", "AQAB")
        .put("inverseQ", random(MODULUS_BYTES / 2))
        .put("modulus", random(MODULUS_BYTES))
        .put("p", random(MODULUS_BYTES / 2))
        .put("q", random(MODULUS_BYTES / 2));
    ObjectNode files = Json.MAPPER.createObjectNode()
        .put(".credentials", file(credentials))
        .put(".runner", file(runner))
        .put(".credentials_rsaparams", file(rsa));
    return base64(files.toString());
  }

  private static String file(ObjectNode content) {
    try {
      return base64(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(content));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return Base64.getEncoder().encodeToString(value);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
