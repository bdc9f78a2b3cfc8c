package dev.spotrunner.common.github;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP side of the GitHub adapter: builds requests with GitHub's headers, sends them through
 * the {@link RequestGovernor} under a key (an installation, or the app itself) and hands back the
 * whole answer. Status handling is the caller's.
 */
final class GitHubHttp {
  static final String USER_AGENT = "spotrunner";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** An answer: status, headers, body text. */
  record Response(int status, java.net.http.HttpHeaders headers, String body)
      implements RequestGovernor.Answer {
    @Override
    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }

    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final URI baseUrl;
  private final HttpClient client;
  private final RequestGovernor governor;

  GitHubHttp(URI baseUrl, HttpClient client, RequestGovernor governor) {
    String text = baseUrl.toString();
    this.baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.client = client;
    this.governor = governor;
  }

  static HttpClient defaultClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  URI baseUrl() {
    return baseUrl;
  }

  RequestGovernor governor() {
    return governor;
  }

  /** A path below the base URL ({@code orgs/acme/...}) or an absolute URL from a Link header. */
  URI resolve(String pathOrUrl) {
    if (pathOrUrl.startsWith("http://") || pathOrUrl.startsWith("https://")) {
      return URI.create(pathOrUrl);
    }
    String path = pathOrUrl.startsWith("/") ? pathOrUrl : "/" + pathOrUrl;
    return URI.create(baseUrl + path);
  }

  Response send(String governorKey, String method, String pathOrUrl, String authorization,
      String jsonBody) {
    URI uri = resolve(pathOrUrl);
    String what = method + " " + uri.getPath();
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .timeout(TIMEOUT)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header("User-Agent", USER_AGENT)
        .header("Authorization", authorization);
    if (jsonBody == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
    }
    HttpRequest request = builder.build();
    return governor.execute(governorKey, method, what, () -> {
      HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(answer.statusCode(), answer.headers(), answer.body());
    });
  }
}
