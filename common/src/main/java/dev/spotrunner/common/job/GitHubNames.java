package dev.spotrunner.common.job;

/**
 * GitHub's naming rules for the names spotrunner puts into API paths, SSM parameter names and
 * tags, checked in one place so that a signed but crafted payload ({@code ../x}) or queue message
 * never reaches a path. Account logins (users and organisations): ASCII letters, digits and single
 * hyphens, 1–39 characters, no hyphen first or last; an Enterprise Managed User's login adds its
 * enterprise shortcode after one underscore ({@code octo_acme}). Repository names: ASCII letters, digits,
 * {@code .}, {@code -} and {@code _}, 1–100 characters, never {@code .} or {@code ..}.
 *
 * <p>Hand-written loops, not regular expressions: the webhook checks every delivery on its hot path.
 */
public final class GitHubNames {
  public static final int MAX_LOGIN = 39;
  public static final int MAX_REPOSITORY = 100;

  private GitHubNames() {}

  /** Whether {@code login} is a valid GitHub user or organisation login. */
  public static boolean isLogin(String login) {
    if (login == null || login.isEmpty() || login.length() > MAX_LOGIN) {
      return false;
    }
    char previous = '-'; // so a leading hyphen is refused like a double one
    for (int i = 0; i < login.length(); i++) {
      char c = login.charAt(i);
      if (c == '-' || c == '_') {
        // '_' joins an Enterprise Managed User's handle to its enterprise shortcode (octo_acme)
        if (previous == '-' || previous == '_') {
          return false;
        }
      } else if (!isAsciiLetterOrDigit(c)) {
        return false;
      }
      previous = c;
    }
    return previous != '-' && previous != '_';
  }

  /** Whether {@code name} is a valid repository name (without its owner). */
  public static boolean isRepository(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_REPOSITORY
        || name.equals(".") || name.equals("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isAsciiLetterOrDigit(c) && c != '.' && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }

  /** The login, or IllegalArgumentException saying what is wrong with it. */
  public static String requireLogin(String login) {
    if (!isLogin(login)) {
      throw new IllegalArgumentException("invalid owner login " + quoted(login)
          + ": GitHub logins are 1-" + MAX_LOGIN
          + " letters, digits or single hyphens (an underscore before a managed user's shortcode),"
          + " not starting or ending with either");
    }
    return login;
  }

  /** The repository name, or IllegalArgumentException saying what is wrong with it. */
  public static String requireRepository(String name) {
    if (!isRepository(name)) {
      throw new IllegalArgumentException("invalid repository name " + quoted(name)
          + ": GitHub repository names are 1-" + MAX_REPOSITORY
          + " letters, digits, '.', '-' or '_', and not '.' or '..'");
    }
    return name;
  }

  /**
   * Checks {@code owner/name} as a payload's {@code repository.full_name} carries it: exactly one
   * slash, a valid login before it and a valid repository name after it.
   *
   * @return the full name
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static String requireFullName(String fullName) {
    if (fullName == null) {
      throw new IllegalArgumentException("repository full name is missing");
    }
    int slash = fullName.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("invalid repository full name " + quoted(fullName)
          + ": not owner/name");
    }
    requireLogin(fullName.substring(0, slash));
    requireRepository(fullName.substring(slash + 1));
    return fullName;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** The name in quotes, cut short and stripped of control characters: it goes into log lines. */
  private static String quoted(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < Math.min(text.length(), 120); i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return out.append(text.length() > 120 ? "...'" : "'").toString();
  }
}
