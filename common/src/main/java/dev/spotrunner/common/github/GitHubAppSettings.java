package dev.spotrunner.common.github;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import java.net.URI;

/**
 * Where GitHub is and where the App's credentials live: {@code GITHUB_API_URL} (github.com or
 * {@code https://HOST/api/v3} for GitHub Enterprise Server), {@code GITHUB_APP_ID_PARAM} and
 * {@code GITHUB_APP_KEY_PARAM} (SSM parameter names).
 */
public record GitHubAppSettings(URI apiUrl, String appIdParameter, String privateKeyParameter) {
  public static final URI GITHUB_COM = URI.create("https://api.github.com");

  /** Reads the three variables, recording problems in {@code env} without throwing. */
  public static GitHubAppSettings read(Env env) {
    URI apiUrl = env.parsed(LambdaVariable.GITHUB_API_URL, GitHubAppSettings::apiUrl, GITHUB_COM);
    String appId = env.required(LambdaVariable.GITHUB_APP_ID_PARAM);
    String key = env.required(LambdaVariable.GITHUB_APP_KEY_PARAM);
    return new GitHubAppSettings(apiUrl, appId, key);
  }

  /** True for GitHub Enterprise Server (any API URL other than api.github.com). */
  public boolean enterpriseServer() {
    return !GITHUB_COM.equals(apiUrl);
  }

  /**
   * The web URL runners register against ({@code config.sh --url}): {@code https://github.com}, or
   * for GitHub Enterprise Server the API URL without {@code /api/v3}.
   */
  public String webUrl() {
    if (!enterpriseServer()) {
      return "https://github.com";
    }
    String api = apiUrl.toString();
    return api.endsWith("/api/v3") ? api.substring(0, api.length() - "/api/v3".length()) : api;
  }

  static URI apiUrl(String text) {
    URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must be an http(s) URL, got '" + text + "'");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("has no host: '" + text + "'");
    }
    return uri;
  }
}
