package dev.spotrunner.common.github;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.LambdaVariable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where GitHub is, where the Apps' credentials live and how many points of each installation's
 * minute this container may spend.
 *
 * <ul>
 *   <li>{@code GITHUB_API_URL}: {@code https://api.github.com}, {@code https://HOST/api/v3}
 *       (GitHub Enterprise Server) or {@code https://api.SUBDOMAIN.ghe.com} (GitHub Enterprise
 *       Cloud with data residency);
 *   <li>{@code GITHUB_WEB_URL}: where runners register ({@code config.sh --url}); derived from the
 *       API URL when unset, and when set it must be the one the API URL belongs to;
 *   <li>{@code GITHUB_APP_ID_PARAM}, {@code GITHUB_APP_KEY_PARAM}: SSM parameter names, one App
 *       each, or comma-separated lists of equal length for several Apps (SSM names hold no comma);
 *   <li>{@code GITHUB_POINTS_PER_MINUTE}: this container's share of each installation's points
 *       a minute (900 on github.com and ghe.com; a GitHub Enterprise Server admin may set up to
 *       {@value #MAX_POINTS_PER_MINUTE}), which Terraform computes from the functions that spend
 *       them (docs/github-app.md, "One budget per installation").
 * </ul>
 */
public record GitHubAppSettings(URI apiUrl, String webUrl, List<App> apps, int pointsPerMinute) {
  public static final URI GITHUB_COM = URI.create("https://api.github.com");
  /** GitHub's secondary limit per installation and minute (github.com, ghe.com). */
  public static final int GITHUB_POINTS = 900;
  /**
   * The largest limit, and so the largest share, Terraform accepts ({@code
   * github_points_per_minute_limit}): a GitHub Enterprise Server admin may configure more than 900.
   */
  public static final int MAX_POINTS_PER_MINUTE = 60_000;
  private static final Pattern GHE_COM_API =
      Pattern.compile("api\\.([a-z0-9][a-z0-9-]*)\\.ghe\\.com", Pattern.CASE_INSENSITIVE);

  /** One App: the SSM parameters holding its id and its private key. */
  public record App(String idParameter, String keyParameter) {}

  /** {@code webUrl}: where runners register ({@code config.sh --url}), no trailing slash. */
  public GitHubAppSettings {
    apps = List.copyOf(apps);
    if (apps.isEmpty()) {
      throw new IllegalArgumentException("at least one GitHub App is required");
    }
    if (pointsPerMinute < 5 || pointsPerMinute > MAX_POINTS_PER_MINUTE) {
      throw new IllegalArgumentException("points per minute must be 5.." + MAX_POINTS_PER_MINUTE);
    }
  }

  /** One App with the whole budget, the web URL derived from the API URL. */
  public GitHubAppSettings(URI apiUrl, String appIdParameter, String privateKeyParameter) {
    this(apiUrl, webUrlOf(apiUrl).toString(), List.of(new App(appIdParameter, privateKeyParameter)),
        GITHUB_POINTS);
  }

  /**
   * Reads the URLs and Apps, recording problems in {@code env} without throwing; the whole
   * budget (for functions that spend none of an installation's points, like the sweeper).
   */
  public static GitHubAppSettings read(Env env) {
    return read(env, false);
  }

  /** {@link #read(Env)} plus this container's share, {@code GITHUB_POINTS_PER_MINUTE}. */
  public static GitHubAppSettings readWithShare(Env env) {
    return read(env, true);
  }

  private static GitHubAppSettings read(Env env, boolean share) {
    URI apiUrl = env.parsed(LambdaVariable.GITHUB_API_URL, GitHubAppSettings::apiUrl, GITHUB_COM);
    URI derived = webUrlOf(apiUrl);
    URI webUrl = env.parsed(LambdaVariable.GITHUB_WEB_URL, GitHubAppSettings::apiUrl, derived);
    if (!webUrl.equals(derived)) {
      env.problem(LambdaVariable.GITHUB_WEB_URL.name() + " " + webUrl + " is not the web URL of "
          + LambdaVariable.GITHUB_API_URL.name() + " " + apiUrl + " (expected " + derived + ")");
    }
    List<String> ids = env.list(LambdaVariable.GITHUB_APP_ID_PARAM, List.of());
    List<String> keys = env.list(LambdaVariable.GITHUB_APP_KEY_PARAM, List.of());
    if (ids.isEmpty() || keys.isEmpty()) {
      env.required(LambdaVariable.GITHUB_APP_ID_PARAM);
      env.required(LambdaVariable.GITHUB_APP_KEY_PARAM);
    } else if (ids.size() != keys.size()) {
      env.problem(LambdaVariable.GITHUB_APP_ID_PARAM.name() + " names " + ids.size()
          + " Apps but " + LambdaVariable.GITHUB_APP_KEY_PARAM.name() + " " + keys.size());
    }
    List<App> apps = new ArrayList<>();
    for (int i = 0; i < Math.min(ids.size(), keys.size()); i++) {
      apps.add(new App(ids.get(i), keys.get(i)));
    }
    if (apps.isEmpty()) {
      apps.add(new App("", "")); // problems recorded above; env.check() throws
    }
    // a share above 900 comes from a GitHub Enterprise Server limit above github.com's
    int points = share ? env.integer(LambdaVariable.GITHUB_POINTS_PER_MINUTE, GITHUB_POINTS, 5,
        MAX_POINTS_PER_MINUTE) : GITHUB_POINTS;
    return new GitHubAppSettings(apiUrl, webUrl.toString(), apps, points);
  }

  /** The first App's id parameter (the App whose webhook the sweeper redelivers). */
  public String appIdParameter() {
    return apps.get(0).idParameter();
  }

  /** The first App's key parameter. */
  public String privateKeyParameter() {
    return apps.get(0).keyParameter();
  }

  /** The same settings for one of the Apps. */
  public GitHubAppSettings only(App app) {
    return new GitHubAppSettings(apiUrl, webUrl, List.of(app), pointsPerMinute);
  }

  /** True for GitHub Enterprise Server and ghe.com (any API URL other than api.github.com). */
  public boolean enterpriseServer() {
    return !GITHUB_COM.equals(apiUrl);
  }

  /**
   * The web URL of an API URL: {@code https://api.github.com} → {@code https://github.com},
   * {@code https://api.SUB.ghe.com} → {@code https://SUB.ghe.com}, {@code https://HOST/api/v3} →
   * {@code https://HOST} (GitHub Enterprise Server; any other URL is taken as the server's root).
   */
  public static URI webUrlOf(URI apiUrl) {
    if (GITHUB_COM.equals(apiUrl)) {
      return URI.create("https://github.com");
    }
    String host = apiUrl.getHost() == null ? "" : apiUrl.getHost().toLowerCase(Locale.ROOT);
    Matcher gheCom = GHE_COM_API.matcher(host);
    if (gheCom.matches()) {
      return URI.create(apiUrl.getScheme() + "://" + gheCom.group(1) + ".ghe.com");
    }
    String api = apiUrl.toString();
    return URI.create(api.endsWith("/api/v3")
        ? api.substring(0, api.length() - "/api/v3".length()) : api);
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
