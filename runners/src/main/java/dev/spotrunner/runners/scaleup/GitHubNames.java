package dev.spotrunner.runners.scaleup;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * GitHub's naming rules for what a job message names: an account login is letters, digits and
 * hyphens (underscores for managed users), starts with a letter or digit, at most 39 characters; a
 * repository name is letters, digits, '.', '_' and '-', at most 100, and neither "." nor "..". A
 * message breaking them was not written by our webhook for a real job: it is never launched for.
 */
final class GitHubNames {
  private static final Pattern LOGIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,38}");
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

  private GitHubNames() {}

  /** Why {@code repository} ({@code owner/name}) of {@code owner} breaks the rules, if it does. */
  static Optional<String> problem(String owner, String repository) {
    if (!LOGIN.matcher(owner).matches()) {
      return Optional.of("owner '" + shorten(owner) + "' is not a GitHub login");
    }
    String name = repository.startsWith(owner + "/")
        ? repository.substring(owner.length() + 1) : repository;
    if (!REPOSITORY.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      return Optional.of("repository '" + shorten(repository) + "' is not a GitHub repository name");
    }
    return Optional.empty();
  }

  private static String shorten(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…" : text;
  }
}
