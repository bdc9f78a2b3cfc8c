package dev.spotrunner.syncer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for the GitHub releases API of {@code actions/runner}, for unit tests: it
 * serves release JSON whose notes carry the SHA markers, answers asset downloads with a 302 to a
 * separate storage path as GitHub does, and can be told to misbehave.
 */
final class ReleaseServer implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, Map<RunnerPlatform, AssetContent>> releases = new ConcurrentHashMap<>();
  private final Set<String> corrupted = ConcurrentHashMap.newKeySet();
  private final Set<String> withoutChecksum = ConcurrentHashMap.newKeySet();
  private final Set<String> failingDownloads = ConcurrentHashMap.newKeySet();
  private final Set<String> understated = ConcurrentHashMap.newKeySet();
  private final AtomicInteger downloads = new AtomicInteger();
  private final AtomicInteger redirects = new AtomicInteger();
  private volatile String latest;

  private ReleaseServer(HttpServer server) {
    this.server = server;
  }

  static ReleaseServer start() throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ReleaseServer releaseServer = new ReleaseServer(http);
    http.createContext("/", releaseServer::handle);
    http.setExecutor(Executors.newFixedThreadPool(4));
    http.start();
    return releaseServer;
  }

  URI apiUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v3");
  }

  /** Publishes a release and makes it the latest. */
  void publish(String version, Map<RunnerPlatform, AssetContent> assets) {
    releases.put(version, new LinkedHashMap<>(assets));
    latest = version;
  }

  /** The download of this asset serves other bytes than the published checksum describes. */
  void corrupt(RunnerPlatform platform, String version) {
    corrupted.add(platform.assetName(version));
  }

  void dropChecksum(RunnerPlatform platform, String version) {
    withoutChecksum.add(platform.assetName(version));
  }

  void failDownloads(RunnerPlatform platform, String version) {
    failingDownloads.add(platform.assetName(version));
  }

  /** The release JSON announces one byte less than the download serves. */
  void understateSize(RunnerPlatform platform, String version) {
    understated.add(platform.assetName(version));
  }

  int downloads() {
    return downloads.get();
  }

  int redirects() {
    return redirects.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String releasesPrefix = "/api/v3/repos/actions/runner/releases/";
      if (path.startsWith(releasesPrefix)) {
        String which = path.substring(releasesPrefix.length());
        String version = which.equals("latest") ? latest
            : which.startsWith("tags/v") ? which.substring("tags/v".length()) : null;
        if (version == null || !releases.containsKey(version)) {
          send(exchange, 404, "{\"message\":\"Not Found\"}");
          return;
        }
        send(exchange, 200, Json.write(releaseJson(version)));
      } else if (path.startsWith("/download/")) {
        redirects.incrementAndGet();
        exchange.getResponseHeaders().set("Location", "/storage/" + path.substring("/download/".length()));
        exchange.sendResponseHeaders(302, -1);
      } else if (path.startsWith("/storage/")) {
        serveAsset(exchange, path.substring("/storage/".length()));
      } else {
        send(exchange, 404, "{}");
      }
    }
  }

  private Map<String, Object> releaseJson(String version) {
    Map<RunnerPlatform, AssetContent> assets = releases.get(version);
    StringBuilder body = new StringBuilder("## SHA-256 Checksums\n\n");
    List<Map<String, Object>> assetList = new ArrayList<>();
    for (Map.Entry<RunnerPlatform, AssetContent> asset : assets.entrySet()) {
      RunnerPlatform platform = asset.getKey();
      String name = platform.assetName(version);
      if (!withoutChecksum.contains(name)) {
        body.append("- ").append(name).append(" <!-- BEGIN SHA ").append(platform).append(" -->")
            .append(asset.getValue().sha256()).append("<!-- END SHA ").append(platform)
            .append(" -->\n");
      }
      // a variant whose marker shares the platform prefix; the syncer must not take it
      body.append("- ").append(name.replace(version, version + "-noexternals"))
          .append(" <!-- BEGIN SHA ").append(platform).append("_noexternals -->")
          .append("0".repeat(64)).append("<!-- END SHA ").append(platform)
          .append("_noexternals -->\n");
      long size = asset.getValue().size() - (understated.contains(name) ? 1 : 0);
      assetList.add(Map.of("name", name, "size", size,
          "browser_download_url", "http://127.0.0.1:" + server.getAddress().getPort()
              + "/download/v" + version + "/" + name));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("tag_name", "v" + version);
    json.put("name", "v" + version);
    json.put("body", body.toString());
    json.put("assets", assetList);
    return json;
  }

  private void serveAsset(HttpExchange exchange, String tail) throws IOException {
    int slash = tail.indexOf('/');
    String version = tail.substring(1, slash);
    String name = tail.substring(slash + 1);
    AssetContent content = releases.getOrDefault(version, Map.of()).entrySet().stream()
        .filter(e -> e.getKey().assetName(version).equals(name))
        .map(Map.Entry::getValue).findFirst().orElse(null);
    if (content == null) {
      send(exchange, 404, "Not Found");
      return;
    }
    downloads.incrementAndGet();
    if (failingDownloads.contains(name)) {
      send(exchange, 500, "storage unavailable");
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(200, content.size());
    boolean corrupt = corrupted.contains(name);
    try (InputStream in = content.open(); OutputStream out = exchange.getResponseBody()) {
      byte[] buffer = new byte[1 << 16];
      long sent = 0;
      int read;
      while ((read = in.read(buffer)) > 0) {
        if (corrupt && sent == 0) {
          buffer[0] ^= 0x5a;
        }
        out.write(buffer, 0, read);
        sent += read;
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
