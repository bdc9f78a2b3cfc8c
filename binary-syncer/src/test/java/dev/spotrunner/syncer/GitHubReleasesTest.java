package dev.spotrunner.syncer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GitHubReleasesTest {
  private HttpServer server;
  private final AtomicReference<String> lastPath = new AtomicReference<>();
  private final AtomicReference<String> lastAccept = new AtomicReference<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void asksTheEnterpriseServerForThePinnedTag() throws IOException {
    URI api = serve(200, "{\"tag_name\": \"v2.330.0\", \"body\": \"\", \"assets\": []}", null);

    RunnerRelease release = new GitHubReleases(api).find(RunnerVersion.pinned("2.330.0"));

    assertThat(release.version()).isEqualTo("2.330.0");
    assertThat(lastPath.get()).isEqualTo("/api/v3/repos/actions/runner/releases/tags/v2.330.0");
    assertThat(lastAccept.get()).isEqualTo("application/vnd.github+json");
  }

  @Test
  void saysWhenGitHubRateLimitsTheSyncer() throws IOException {
    URI api = serve(403, "{\"message\": \"API rate limit exceeded\"}", "0");

    assertThatThrownBy(() -> new GitHubReleases(api).find(RunnerVersion.LATEST))
        .isInstanceOf(ReleaseUnavailable.class)
        .hasMessageContaining("HTTP 403").hasMessageContaining("rate limit remaining 0");
  }

  @Test
  void saysWhenTheReleaseIsMalformed() throws IOException {
    URI api = serve(200, "<html>maintenance</html>", null);

    assertThatThrownBy(() -> new GitHubReleases(api).find(RunnerVersion.LATEST))
        .isInstanceOf(ReleaseUnavailable.class).hasMessageContaining("malformed runner release latest");
  }

  @Test
  void saysWhenGitHubCannotBeReached() throws IOException {
    URI api = serve(200, "{}", null);
    server.stop(0);
    server = null;

    assertThatThrownBy(() -> new GitHubReleases(api).find(RunnerVersion.LATEST))
        .isInstanceOf(ReleaseUnavailable.class).hasMessageContaining("cannot read runner release");
  }

  private URI serve(int status, String body, String rateLimitRemaining) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        lastPath.set(exchange.getRequestURI().getPath());
        lastAccept.set(exchange.getRequestHeaders().getFirst("Accept"));
        if (rateLimitRemaining != null) {
          exchange.getResponseHeaders().set("x-ratelimit-remaining", rateLimitRemaining);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
      }
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v3");
  }
}
