package dev.spotrunner.webhook;

import dev.spotrunner.common.job.GitHubNames;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which repositories may start jobs: an allow-list of {@code owner/repo} or {@code owner/*}
 * (case-insensitive; empty allows all) and whether public repositories are accepted. Public ones are
 * refused by default because any fork's pull request could then run code on our machines.
 */
public final class RepositoryPolicy {
  /** Why a repository is refused, or {@link #ALLOWED}. */
  public enum Verdict { ALLOWED, NOT_IN_ALLOW_LIST, PUBLIC }

  private final Set<String> repositories = new HashSet<>();
  private final Set<String> owners = new HashSet<>();
  private final boolean allowPublic;

  public RepositoryPolicy(List<String> allowList, boolean allowPublic) {
    for (String entry : allowList) {
      String[] parts = entry.trim().split("/", -1);
      if (parts.length != 2 || !GitHubNames.isLogin(parts[0])
          || !(parts[1].equals("*") || GitHubNames.isRepository(parts[1]))) {
        throw new IllegalArgumentException("'" + entry + "' is not owner/repo or owner/*");
      }
      String owner = parts[0].toLowerCase(Locale.ROOT);
      if (parts[1].equals("*")) {
        owners.add(owner);
      } else {
        repositories.add(owner + "/" + parts[1].toLowerCase(Locale.ROOT));
      }
    }
    this.allowPublic = allowPublic;
  }

  public static RepositoryPolicy allowAll() {
    return new RepositoryPolicy(List.of(), true);
  }

  /**
   * @param fullName {@code owner/repo}
   * @param isPrivate the payload's {@code repository.private}; null (absent) counts as public
   */
  public Verdict check(String fullName, Boolean isPrivate) {
    if (!repositories.isEmpty() || !owners.isEmpty()) {
      String name = fullName.toLowerCase(Locale.ROOT);
      int slash = name.indexOf('/');
      if (!repositories.contains(name) && !owners.contains(name.substring(0, slash))) {
        return Verdict.NOT_IN_ALLOW_LIST;
      }
    }
    if (!allowPublic && !Boolean.TRUE.equals(isPrivate)) {
      return Verdict.PUBLIC;
    }
    return Verdict.ALLOWED;
  }
}
