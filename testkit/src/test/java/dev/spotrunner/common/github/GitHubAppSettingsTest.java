package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.config.SettingsException;
import dev.spotrunner.testkit.fakes.InMemoryParameters;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  void refusesListsOfDifferentLengthsAndAShareAboveTheLargestLimit() {
    Env env = new Env(Map.of("GITHUB_APP_ID_PARAM", "/one/id,/two/id",
        "GITHUB_APP_KEY_PARAM", "/one/key", "GITHUB_POINTS_PER_MINUTE", "60001"));
    GitHubAppSettings.readWithShare(env);
    assertThatThrownBy(env::check).isInstanceOf(SettingsException.class)
        .hasMessageContaining("names 2 Apps but GITHUB_APP_KEY_PARAM 1")
        .hasMessageContaining("GITHUB_POINTS_PER_MINUTE");
  }

  @Test
  void acceptsAShareAboveNineHundredFromAnEnterpriseServerLimit() {
    // Terraform: github_points_per_minute_limit = 5000, 100 set aside, 2 containers
    assertThat(share("2450").pointsPerMinute()).isEqualTo(2450);
    assertThat(share("60000").pointsPerMinute()).isEqualTo(60_000);
    assertThat(share("5").pointsPerMinute()).isEqualTo(5);
    Env tooSmall = new Env(Map.of("GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b",
        "GITHUB_POINTS_PER_MINUTE", "4"));
    GitHubAppSettings.readWithShare(tooSmall);
    assertThatThrownBy(tooSmall::check).hasMessageContaining("GITHUB_POINTS_PER_MINUTE");
  }

  @Test
  void theGovernorHoldsTheShareBelowOrAboveNineHundred() {
    assertThat(GitHubApp.shared(GovernorLimits.GITHUB, share("300")).pointsPerMinute())
        .isEqualTo(300);
    assertThat(GitHubApp.shared(GovernorLimits.GITHUB, share("2450")).pointsPerMinute())
        .isEqualTo(2450);
    assertThat(GitHubApp.shared(GovernorLimits.GITHUB, share("900")).pointsPerMinute())
        .isEqualTo(900);
    // a caller's tighter limits stay when the share is larger than them but below 900
    assertThat(GitHubApp.shared(GovernorLimits.GITHUB.withPointsPerMinute(60), share("300"))
        .pointsPerMinute()).isEqualTo(60);
  }

  /** Every limit Terraform's validation lets through gives shares Java accepts, and no more. */
  @Test
  void terraformsLimitValidationHasJavasBounds() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.isDirectory(root.resolve("terraform/modules"))) {
      root = root.getParent();
    }
    assertThat(root).as("terraform/ above the working directory").isNotNull();
    String variables = Files.readString(root.resolve("terraform/variables.tf"));
    int start = variables.indexOf("variable \"github_points_per_minute_limit\"");
    assertThat(start).isNotNegative();
    Matcher condition = Pattern.compile("condition\\s*=\\s*([^\\n]+)")
        .matcher(variables.substring(start));
    assertThat(condition.find()).isTrue();
    Matcher lower = Pattern.compile("var\\.github_points_per_minute_limit >= (\\d+)")
        .matcher(condition.group(1));
    Matcher upper = Pattern.compile("var\\.github_points_per_minute_limit <= (\\d+)")
        .matcher(condition.group(1));
    assertThat(lower.find()).as(condition.group(1)).isTrue();
    assertThat(upper.find()).as(condition.group(1)).isTrue();
    assertThat(Integer.parseInt(lower.group(1))).isEqualTo(5);
    assertThat(Integer.parseInt(upper.group(1)))
        .isEqualTo(GitHubAppSettings.MAX_POINTS_PER_MINUTE);
  }

  private static GitHubAppSettings share(String points) {
    Env env = new Env(Map.of("GITHUB_APP_ID_PARAM", "/a", "GITHUB_APP_KEY_PARAM", "/b",
        "GITHUB_POINTS_PER_MINUTE", points));
    GitHubAppSettings settings = GitHubAppSettings.readWithShare(env);
    env.check();
    return settings;
  }
}
