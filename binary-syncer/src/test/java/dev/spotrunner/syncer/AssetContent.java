package dev.spotrunner.syncer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The bytes of a test asset: small ones held in memory, large ones generated as they are read. */
interface AssetContent {
  long size();

  InputStream open();

  static AssetContent of(byte[] bytes) {
    return new AssetContent() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  /** {@code size} pseudo-random bytes from {@code seed}, never held in memory whole. */
  static AssetContent generated(long seed, long size) {
    return new AssetContent() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public InputStream open() {
        return new GeneratedStream(seed, size);
      }
    };
  }

  default String sha256() {
    try (InputStream in = open()) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int read;
      while ((read = in.read(buffer)) > 0) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An xorshift stream: fast, repeatable, incompressible enough for a transfer test. */
  final class GeneratedStream extends InputStream {
    private long state;
    private long remaining;

    GeneratedStream(long seed, long size) {
      this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
      this.remaining = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (remaining <= 0) {
        return -1;
      }
      int count = (int) Math.min(length, remaining);
      for (int i = 0; i < count; i++) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        buffer[offset + i] = (byte) state;
      }
      remaining -= count;
      return count;
    }
  }
}
