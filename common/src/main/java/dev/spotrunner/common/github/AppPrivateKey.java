package dev.spotrunner.common.github;

import dev.spotrunner.common.PermanentFailure;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a GitHub App private key as GitHub hands it out (PKCS#1 {@code RSA PRIVATE KEY}) or as
 * converted by openssl (PKCS#8 {@code PRIVATE KEY}), either as PEM text or as base64 of the PEM
 * text (how it is often stored to survive newlines). No message ever contains key material.
 */
public final class AppPrivateKey {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN (RSA )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END (RSA )?PRIVATE KEY-----");
  // AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters.
  private static final byte[] RSA_ALGORITHM = {
      0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
      0x01, 0x05, 0x00};

  private AppPrivateKey() {}

  public static RSAPrivateKey parse(String text) {
    if (text == null || text.isBlank()) {
      throw new PermanentFailure("GitHub App private key is empty");
    }
    String pem = text.trim().replace("\\n", "\n");
    if (!pem.contains("-----BEGIN")) {
      try {
        pem = new String(Base64.getMimeDecoder().decode(pem), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new PermanentFailure("GitHub App private key is neither PEM nor base64-encoded PEM");
      }
    }
    Matcher matcher = PEM.matcher(pem);
    if (!matcher.find()) {
      throw new PermanentFailure(
          "GitHub App private key has no 'RSA PRIVATE KEY' or 'PRIVATE KEY' PEM block");
    }
    boolean pkcs1 = matcher.group(1) != null;
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(matcher.group(2).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure("GitHub App private key PEM body is not base64");
    }
    try {
      KeyFactory factory = KeyFactory.getInstance("RSA");
      return (RSAPrivateKey) factory.generatePrivate(
          new PKCS8EncodedKeySpec(pkcs1 ? pkcs1ToPkcs8(der) : der));
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new PermanentFailure("GitHub App private key is not a valid RSA key ("
          + (pkcs1 ? "PKCS#1" : "PKCS#8") + ")");
    }
  }

  /** Wraps a PKCS#1 RSAPrivateKey in PrivateKeyInfo: SEQUENCE { 0, rsaEncryption, OCTET STRING }. */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(RSA_ALGORITHM);
    body.write(0x04);
    writeLength(body, pkcs1.length);
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    writeLength(out, body.size());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 0x80) {
      out.write(length);
      return;
    }
    int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
    out.write(0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((length >>> (8 * i)) & 0xff);
    }
  }
}
