package dev.spotrunner.testkit.github;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * A GitHub App key pair generated at test time, with the private key in every form spotrunner
 * accepts: PKCS#8 PEM, PKCS#1 PEM (what GitHub hands out), and base64 of either.
 */
public final class AppKeys {
  private final KeyPair pair;

  private AppKeys(KeyPair pair) {
    this.pair = pair;
  }

  public static AppKeys generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new AppKeys(generator.generateKeyPair());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public RSAPublicKey publicKey() {
    return (RSAPublicKey) pair.getPublic();
  }

  public java.security.PrivateKey privateKey() {
    return pair.getPrivate();
  }

  public String pkcs8Pem() {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  public String pkcs1Pem() {
    return pem("RSA PRIVATE KEY", pkcs1(pair.getPrivate().getEncoded()));
  }

  public static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /** The RSAPrivateKey inside PrivateKeyInfo: the contents of its last element, an OCTET STRING. */
  static byte[] pkcs1(byte[] pkcs8) {
    int[] outer = header(pkcs8, 0);                // SEQUENCE
    int position = outer[0];
    int[] version = header(pkcs8, position);        // INTEGER 0
    position = version[0] + version[1];
    int[] algorithm = header(pkcs8, position);      // AlgorithmIdentifier
    position = algorithm[0] + algorithm[1];
    if (pkcs8[position] != 0x04) {
      throw new IllegalArgumentException("not a PKCS#8 RSA key");
    }
    int[] key = header(pkcs8, position);            // OCTET STRING
    return Arrays.copyOfRange(pkcs8, key[0], key[0] + key[1]);
  }

  /** {start of contents, length} of the DER element at {@code at}. */
  private static int[] header(byte[] der, int at) {
    int first = der[at + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {at + 2, first};
    }
    int bytes = first & 0x7f;
    int length = 0;
    for (int i = 0; i < bytes; i++) {
      length = (length << 8) | (der[at + 2 + i] & 0xff);
    }
    return new int[] {at + 2 + bytes, length};
  }
}
