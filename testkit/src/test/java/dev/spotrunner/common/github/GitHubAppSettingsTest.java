package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.SettingsException;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
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

  @Test
  void derivesTheWebUrlForGitHubComEnterpriseServerAndGheCom() {
    assertThat(GitHubAppSettings.webUrlOf(URI.create("https://api.github.com")))
        .isEqualTo(URI.create("https://github.com"));
    assertThat(GitHubAppSettings.webUrlOf(URI.create("https://ghe.example.com/api/v3")))
        .isEqualTo(URI.create("https://ghe.example.com"));
    assertThat(GitHubAppSettings.webUrlOf(URI.create("https://api.octo-corp.ghe.com")))
        .isEqualTo(URI.create("https://octo-corp.ghe.com"));
  }

  @Test
  void readsGheComWithDataResidency() {
    Env env = new Env(Map.of("GITHUB_API_URL", "https://api.octo-corp.ghe.com",
        "GITHUB_WEB_URL", "https://octo-corp.ghe.com",
        "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));
    GitHubAppSettings settings = GitHubAppSettings.read(env);
    env.check();
    assertThat(settings.webUrl()).isEqualTo("https://octo-corp.ghe.com");
    assertThat(settings.enterpriseServer()).isTrue();
  }

  @Test
  void refusesAWebUrlThatIsNotTheApiUrlsOwn() {
    Env env = new Env(Map.of("GITHUB_API_URL", "https://api.octo-corp.ghe.com",
        "GITHUB_WEB_URL", "https://github.com",
        "GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b"));
    GitHubAppSettings.read(env);
    assertThatThrownBy(env::check).isInstanceOf(SettingsException.class)
        .hasMessageContaining("GITHUB_WEB_URL").hasMessageContaining("https://octo-corp.ghe.com");
  }

  @Test
  void readsSeveralAppsAsListsOfParameterNames() {
    Env env = new Env(Map.of("GITHUB_APP_ID_PARAM", "/one/id,/two/id",
        "GITHUB_APP_KEY_PARAM", "/one/key, /two/key", "GITHUB_POINTS_PER_MINUTE", "300"));
    GitHubAppSettings settings = GitHubAppSettings.readWithShare(env);
    env.check();
    assertThat(settings.apps()).containsExactly(new GitHubAppSettings.App("/one/id", "/one/key"),
        new GitHubAppSettings.App("/two/id", "/two/key"));
    assertThat(settings.pointsPerMinute()).isEqualTo(300);
    assertThat(settings.appIdParameter()).isEqualTo("/one/id");
    assertThat(GitHubAppSettings.read(new Env(Map.of("GITHUB_APP_ID_PARAM", "/a",
        "GITHUB_APP_KEY_PARAM", "/b", "GITHUB_POINTS_PER_MINUTE", "300"))).pointsPerMinute())
        .isEqualTo(900); // only functions that spend installation points read their share
  }

  @Test
  void refusesListsOfDifferentLengthsAndAShareAboveGitHubsLimit() {
    Env env = new Env(Map.of("GITHUB_APP_ID_PARAM", "/one/id,/two/id",
        "GITHUB_APP_KEY_PARAM", "/one/key", "GITHUB_POINTS_PER_MINUTE", "901"));
    GitHubAppSettings.readWithShare(env);
    assertThatThrownBy(env::check).isInstanceOf(SettingsException.class)
        .hasMessageContaining("names 2 Apps but GITHUB_APP_KEY_PARAM 1")
        .hasMessageContaining("GITHUB_POINTS_PER_MINUTE");
  }
}
