package dev.spotrunner.syncer;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads {@code actions/runner} releases over plain {@code java.net.http}. Public releases need no
 * token, so the syncer holds none; on GitHub Enterprise Server the API URL points at the server.
 */
public final class GitHubReleases {
  private static final String USER_AGENT = "spotrunner-binary-syncer";
  private static final Duration API_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DOWNLOAD_HEADERS_TIMEOUT = Duration.ofSeconds(60);

  private final URI apiUrl;
  private final HttpClient http;

  public GitHubReleases(URI apiUrl) {
    this(apiUrl, HttpClient.newBuilder()
        // GitHub answers an asset download with 302 to its storage host.
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(10))
        .version(HttpClient.Version.HTTP_1_1)
        .build());
  }

  GitHubReleases(URI apiUrl, HttpClient http) {
    this.apiUrl = apiUrl;
    this.http = http;
  }

  /** The pinned release or the latest one; throws {@link ReleaseUnavailable} saying why not. */
  public RunnerRelease find(RunnerVersion version) {
    URI uri = URI.create(apiUrl + "/repos/actions/runner/releases/" + version.releasePath());
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(API_TIMEOUT)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header("User-Agent", USER_AGENT)
        .GET()
        .build();
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(),
        "runner release " + version);
    int status = response.statusCode();
    if (status == 404) {
      throw new ReleaseUnavailable("runner release " + version + " not found at " + apiUrl);
    }
    if (status == 403 || status == 429) {
      String remaining = response.headers().firstValue("x-ratelimit-remaining").orElse("?");
      throw new ReleaseUnavailable("GitHub refused the release request (HTTP " + status
          + ", rate limit remaining " + remaining + ")");
    }
    if (status != 200) {
      throw new ReleaseUnavailable("GitHub answered HTTP " + status + " for runner release "
          + version);
    }
    try {
      return RunnerRelease.fromJson(Json.MAPPER.readTree(response.body()));
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ReleaseUnavailable("malformed runner release " + version + ": "
          + e.getClass().getSimpleName());
    }
  }

  /**
   * Opens an asset for streaming, following redirects; the caller closes the stream. The body is
   * read as it arrives, never buffered whole.
   */
  public InputStream download(RunnerRelease.Asset asset) {
    HttpRequest request = HttpRequest.newBuilder(asset.downloadUrl())
        .timeout(DOWNLOAD_HEADERS_TIMEOUT)
        .header("Accept", "application/octet-stream")
        .header("User-Agent", USER_AGENT)
        .GET()
        .build();
    HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream(),
        asset.name());
    if (response.statusCode() != 200) {
      ReleaseUnavailable failure = new ReleaseUnavailable("download of " + asset.name()
          + " answered HTTP " + response.statusCode());
      try {
        response.body().close();
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
      throw failure;
    }
    return response.body();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      String what) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw new ReleaseUnavailable("cannot read " + what + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReleaseUnavailable("interrupted while reading " + what, e);
    }
  }
}
