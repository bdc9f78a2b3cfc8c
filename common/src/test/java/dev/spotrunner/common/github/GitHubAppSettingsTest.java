package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.SettingsException;
import dev.spotrunner.common.parameters.InMemoryParameters;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitHubAppSettingsTest {
  @Test
  void defaultsToGitHubCom() {
    Env env = new Env(Map.of("GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));
    GitHubAppSettings settings = GitHubAppSettings.read(env);
    env.check();
    assertThat(settings).isEqualTo(
        new GitHubAppSettings(URI.create("https://api.github.com"), "/a", "/b"));
  }

  @Test
  void acceptsAnEnterpriseServerUrlWithItsApiPrefix() {
    Env env = new Env(Map.of("GITHUB_API_URL", "https://ghe.example.com/api/v3/",
        "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));
    assertThat(GitHubAppSettings.read(env).apiUrl())
        .isEqualTo(URI.create("https://ghe.example.com/api/v3"));
  }

  @Test
  void namesEveryMissingOrMalformedVariable() {
    Env env = new Env(Map.of("GITHUB_API_URL", "ftp://nope"));
    assertThatThrownBy(() -> GitHubApp.fromEnv(env, new InMemoryParameters(), Clock.systemUTC()))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("GITHUB_API_URL")
        .hasMessageContaining("GITHUB_APP_ID_PARAM")
        .hasMessageContaining("GITHUB_APP_KEY_PARAM");
  }

  @Test
  void readsNoParameterBeforeTheFirstCall() {
    InMemoryParameters empty = new InMemoryParameters();
    GitHubApp app = GitHubApp.fromEnv(new Env(Map.of("GITHUB_APP_ID_PARAM", "/a",
        "GITHUB_APP_KEY_PARAM", "/b")), empty, Clock.systemUTC());
    assertThat(app.apiUrl()).isEqualTo(URI.create("https://api.github.com"));
  }
}
