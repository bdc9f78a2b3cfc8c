package dev.spotrunner.runners.pool;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import java.net.URI;

/**
 * How the runners Lambdas reach GitHub: the REST base URL and the SSM parameters holding the App id
 * and private key. {@link #webUrl()} is where {@code config.sh --url} points.
 */
public record GitHubSettings(String apiUrl, String appIdParam, String appKeyParam) {
  public static final String DEFAULT_API_URL = "https://api.github.com";

  /** Reads the GitHub variables, recording problems in {@code env}. */
  public static GitHubSettings read(Env env) {
    String apiUrl = env.parsed(LambdaVariable.GITHUB_API_URL, GitHubSettings::checkedUrl,
        DEFAULT_API_URL);
    return new GitHubSettings(apiUrl,
        env.required(LambdaVariable.GITHUB_APP_ID_PARAM),
        env.required(LambdaVariable.GITHUB_APP_KEY_PARAM));
  }

  /** True for GitHub Enterprise Server (any API URL other than api.github.com). */
  public boolean enterpriseServer() {
    return !DEFAULT_API_URL.equals(apiUrl);
  }

  /** The web URL: {@code https://github.com}, or for GHES the API URL without {@code /api/v3}. */
  public String webUrl() {
    if (!enterpriseServer()) {
      return "https://github.com";
    }
    String trimmed = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    return trimmed.endsWith("/api/v3") ? trimmed.substring(0, trimmed.length() - 7) : trimmed;
  }

  private static String checkedUrl(String text) {
    URI uri = URI.create(text);
    if (uri.getScheme() == null || uri.getHost() == null
        || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
      throw new IllegalArgumentException("not an http(s) URL: '" + text + "'");
    }
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }
}
