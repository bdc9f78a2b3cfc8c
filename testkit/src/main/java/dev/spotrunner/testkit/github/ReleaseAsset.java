package dev.spotrunner.testkit.github;

import java.io.InputStream;
import java.util.function.Supplier;

/**
 * A downloadable asset of an {@code actions/runner} release: its content is streamed from the
 * supplier on every download (and once at publish time, for the SHA-256), never held in memory.
 */
public record ReleaseAsset(String platform, String name, long size, Supplier<InputStream> content) {
  /** {@code actions-runner-<platform>-<version>.tar.gz}, or {@code .zip} for Windows. */
  public static ReleaseAsset of(String platform, String version, long size,
      Supplier<InputStream> content) {
    String extension = platform.startsWith("win-") ? ".zip" : ".tar.gz";
    return new ReleaseAsset(platform, "actions-runner-" + platform + "-" + version + extension,
        size, content);
  }

  /** {@code size} bytes of a repeatable pseudo-random pattern, generated as read. */
  public static Supplier<InputStream> generated(long size, long seed) {
    return () -> new InputStream() {
      private long position;
      private long state = seed;

      @Override
      public int read() {
        if (position >= size) {
          return -1;
        }
        position++;
        state = state * 6364136223846793005L + 1442695040888963407L;
        return (int) (state >>> 56) & 0xff;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) {
        if (position >= size) {
          return -1;
        }
        int count = (int) Math.min(length, size - position);
        for (int i = 0; i < count; i++) {
          state = state * 6364136223846793005L + 1442695040888963407L;
          buffer[offset + i] = (byte) (state >>> 56);
        }
        position += count;
        return count;
      }
    };
  }
}
