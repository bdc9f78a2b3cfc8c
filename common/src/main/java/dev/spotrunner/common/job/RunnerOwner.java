package dev.spotrunner.common.job;

import java.util.Objects;

/**
 * Where runners register: an organisation ({@code acme}) or one repository ({@code acme/api}).
 * {@link #apiPath()} gives the REST prefix, {@code orgs/acme} or {@code repos/acme/api}. Both names
 * follow {@link GitHubNames}: a name that would escape its API path ({@code ..}, a slash) never
 * makes an owner.
 *
 * @throws IllegalArgumentException for a name GitHub would not accept
 */
public record RunnerOwner(String login, String repository) {

  public RunnerOwner {
    Objects.requireNonNull(login, "login");
    GitHubNames.requireLogin(login);
    if (repository != null) {
      GitHubNames.requireRepository(repository);
    }
  }

  public static RunnerOwner org(String login) {
    return new RunnerOwner(login, null);
  }

  public static RunnerOwner repo(String login, String repository) {
    return new RunnerOwner(login, Objects.requireNonNull(repository, "repository"));
  }

  /**
   * Parses {@code acme} (organisation) or {@code acme/api} (repository); a second slash makes the
   * repository name invalid.
   */
  public static RunnerOwner parse(String text) {
    Objects.requireNonNull(text, "owner");
    int slash = text.indexOf('/');
    return slash < 0 ? org(text) : repo(text.substring(0, slash), text.substring(slash + 1));
  }

  public boolean isRepository() {
    return repository != null;
  }

  public String apiPath() {
    return isRepository() ? "repos/" + login + "/" + repository : "orgs/" + login;
  }

  @Override
  public String toString() {
    return isRepository() ? login + "/" + repository : login;
  }
}
