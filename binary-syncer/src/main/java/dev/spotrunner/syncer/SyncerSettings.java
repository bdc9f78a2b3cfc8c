package dev.spotrunner.syncer;

import static dev.spotrunner.common.config.LambdaVariable.BUCKET_NAME;
import static dev.spotrunner.common.config.LambdaVariable.ENVIRONMENT;
import static dev.spotrunner.common.config.LambdaVariable.GITHUB_API_URL;
import static dev.spotrunner.common.config.LambdaVariable.KEY_PREFIX;
import static dev.spotrunner.common.config.LambdaVariable.PLATFORMS;
import static dev.spotrunner.common.config.LambdaVariable.RUNNER_VERSION;

import dev.spotrunner.common.config.Env;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The syncer's settings, read once from the environment; one error names every problem.
 *
 * @param gitHubApiUrl REST base URL without a trailing slash: {@code https://api.github.com} or,
 *     for GitHub Enterprise Server, {@code https://HOST/api/v3}
 */
public record SyncerSettings(String environment, String bucket, String keyPrefix,
    List<RunnerPlatform> platforms, RunnerVersion version, URI gitHubApiUrl) {

  public static final String DEFAULT_KEY_PREFIX = "actions-runner/";
  public static final String DEFAULT_API_URL = "https://api.github.com";

  public SyncerSettings {
    platforms = List.copyOf(platforms);
  }

  public static SyncerSettings fromEnv(Map<String, String> variables) {
    Env env = new Env(variables);
    String environment = env.required(ENVIRONMENT);
    String bucket = env.required(BUCKET_NAME);
    String keyPrefix = env.optional(KEY_PREFIX, DEFAULT_KEY_PREFIX);
    List<RunnerPlatform> platforms = platforms(env);
    RunnerVersion version = env.parsed(RUNNER_VERSION, RunnerVersion::parse, RunnerVersion.LATEST);
    URI api = env.parsed(GITHUB_API_URL, SyncerSettings::apiUrl, URI.create(DEFAULT_API_URL));
    if (keyPrefix.startsWith("/")) {
      env.problem(KEY_PREFIX.name() + " must not start with '/', got '" + keyPrefix + "'");
    }
    env.check();
    return new SyncerSettings(environment, bucket, keyPrefix, platforms, version, api);
  }

  private static List<RunnerPlatform> platforms(Env env) {
    List<RunnerPlatform> platforms = new ArrayList<>();
    for (String name : new LinkedHashSet<>(env.list(PLATFORMS, List.of("linux-x64")))) {
      try {
        platforms.add(RunnerPlatform.parse(name));
      } catch (IllegalArgumentException e) {
        env.problem(PLATFORMS.name() + " is malformed: " + e.getMessage());
      }
    }
    if (platforms.isEmpty()) {
      env.problem(PLATFORMS.name() + " names no platform");
    }
    return platforms;
  }

  private static URI apiUrl(String text) {
    String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    URI uri = URI.create(trimmed);
    if (uri.getHost() == null
        || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
      throw new IllegalArgumentException("expected an http(s) URL such as " + DEFAULT_API_URL
          + ", got '" + text + "'");
    }
    return uri;
  }
}
