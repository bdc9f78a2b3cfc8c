package dev.spotrunner.common.job;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where runners register: an organisation ({@code acme}) or one repository ({@code acme/api}).
 * {@link #apiPath()} gives the REST prefix, {@code orgs/acme} or {@code repos/acme/api}.
 */
public record RunnerOwner(String login, String repository) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

  public RunnerOwner {
    Objects.requireNonNull(login, "login");
    if (!NAME.matcher(login).matches()) {
      throw new IllegalArgumentException("invalid owner login: '" + login + "'");
    }
    if (repository != null && !NAME.matcher(repository).matches()) {
      throw new IllegalArgumentException("invalid repository name: '" + repository + "'");
    }
  }

  public static RunnerOwner org(String login) {
    return new RunnerOwner(login, null);
  }

  public static RunnerOwner repo(String login, String repository) {
    return new RunnerOwner(login, Objects.requireNonNull(repository, "repository"));
  }

  /** Parses {@code acme} (organisation) or {@code acme/api} (repository). */
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
