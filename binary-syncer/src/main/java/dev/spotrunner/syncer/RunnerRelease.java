package dev.spotrunner.syncer;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code actions/runner} release: its version, its assets and the release notes, which carry the
 * SHA-256 of each package between markers such as
 * {@code <!-- BEGIN SHA linux-x64 -->…<!-- END SHA linux-x64 -->}.
 */
public record RunnerRelease(String version, Map<String, Asset> assets, String body) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** A downloadable file of the release; {@code size} is -1 when GitHub did not say. */
  public record Asset(String name, URI downloadUrl, long size) {}

  public RunnerRelease {
    assets = Map.copyOf(assets);
    body = body == null ? "" : body;
  }

  /** Reads the REST representation of a release (tag_name, body, assets[].browser_download_url). */
  static RunnerRelease fromJson(JsonNode release) {
    String tag = release.path("tag_name").asText("");
    if (tag.isEmpty()) {
      throw new IllegalArgumentException("the release has no tag_name");
    }
    Map<String, Asset> assets = new LinkedHashMap<>();
    for (JsonNode asset : release.path("assets")) {
      String name = asset.path("name").asText("");
      String url = asset.path("browser_download_url").asText("");
      if (!name.isEmpty() && !url.isEmpty()) {
        assets.put(name, new Asset(name, URI.create(url), asset.path("size").asLong(-1)));
      }
    }
    String version = tag.startsWith("v") ? tag.substring(1) : tag;
    return new RunnerRelease(version, assets, release.path("body").asText(""));
  }

  public Optional<Asset> asset(RunnerPlatform platform) {
    return Optional.ofNullable(assets.get(platform.assetName(version)));
  }

  /**
   * The published SHA-256 of a platform's package, lower-case hex, or empty when the notes carry no
   * well-formed marker for exactly that platform ({@code linux-x64}, not {@code linux-x64_noexternals}).
   */
  public Optional<String> checksum(RunnerPlatform platform) {
    String begin = "<!-- BEGIN SHA " + platform + " -->";
    String end = "<!-- END SHA " + platform + " -->";
    int start = body.indexOf(begin);
    if (start < 0) {
      return Optional.empty();
    }
    int from = start + begin.length();
    int stop = body.indexOf(end, from);
    if (stop < 0) {
      return Optional.empty();
    }
    String value = body.substring(from, stop).trim().toLowerCase(Locale.ROOT);
    return SHA256.matcher(value).matches() ? Optional.of(value) : Optional.empty();
  }
}
