package dev.spotrunner.common.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** GitHub's naming rules (docs/webhook.md, "Names") as properties over generated names. */
class GitHubNamesProperties {
  private static final String ALNUM =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  @Property
  void acceptsEveryLoginOfAlphanumericPartsJoinedBySingleHyphens(@ForAll("logins") String login) {
    assertThat(GitHubNames.isLogin(login)).isTrue();
    assertThat(RunnerOwner.org(login).apiPath()).isEqualTo("orgs/" + login);
  }

  @Property
  void acceptsAnEnterpriseManagedUsersShortcodeAfterOneUnderscore(@ForAll("logins") String login) {
    String handle = login.length() > 30 ? login.substring(0, 30) : login;
    String managed = handle.replaceAll("-+$", "") + "_acme";
    assertThat(GitHubNames.isLogin(managed)).isTrue();
    assertThat(GitHubNames.isLogin("_" + login)).isFalse();
    assertThat(GitHubNames.isLogin(login + "_")).isFalse();
    assertThat(GitHubNames.isLogin(login + "__acme")).isFalse();
  }

  @Property
  void refusesALoginWithAHyphenFirstLastOrDoubled(@ForAll("logins") String login) {
    assertThat(GitHubNames.isLogin("-" + login)).isFalse();
    assertThat(GitHubNames.isLogin(login + "-")).isFalse();
    int cut = login.length() / 2;
    String doubled = login.substring(0, cut) + "--" + login.substring(cut);
    assertThat(GitHubNames.isLogin(doubled)).isFalse();
  }

  @Property
  void refusesALoginLongerThan39(@ForAll("logins") String login) {
    String longer = (login + "a".repeat(40)).substring(0, 40 + login.length() % 5);
    assertThat(GitHubNames.isLogin(longer)).isFalse();
    assertThatThrownBy(() -> RunnerOwner.org(longer)).isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void refusesALoginWithAnyCharacterOutsideTheAlphabet(
      @ForAll("logins") String login, @ForAll("foreign") char foreign) {
    int at = login.length() / 2;
    String bad = login.substring(0, at) + foreign + login.substring(at);
    assertThat(GitHubNames.isLogin(bad)).isFalse();
  }

  @Property
  void acceptsEveryRepositoryNameOfTheAlphabetExceptDotAndDotDot(
      @ForAll("repositories") String name) {
    assertThat(GitHubNames.isRepository(name)).isEqualTo(!name.equals(".") && !name.equals(".."));
  }

  @Property
  void refusesARepositoryNameWithAnyCharacterOutsideTheAlphabet(
      @ForAll("repositories") String name, @ForAll("foreignToRepositories") char foreign) {
    assertThat(GitHubNames.isRepository(name + foreign)).isFalse();
    assertThat(GitHubNames.isRepository(foreign + name)).isFalse();
  }

  @Property
  void refusesARepositoryNameLongerThan100(@ForAll("repositories") String name) {
    assertThat(GitHubNames.isRepository(name + "x".repeat(101))).isFalse();
  }

  /** Whatever the text, an owner either is refused or builds an API path of plain segments. */
  @Property(tries = 2000)
  void noTextMakesAnApiPathThatLeavesItsPlace(@ForAll("texts") String text) {
    RunnerOwner owner;
    try {
      owner = RunnerOwner.parse(text);
    } catch (IllegalArgumentException refused) {
      return;
    }
    List<String> segments = Arrays.asList(owner.apiPath().split("/", -1));
    assertThat(segments).hasSize(owner.isRepository() ? 3 : 2)
        .doesNotContain(".", "..", "").allMatch(s -> s.chars().allMatch(c -> c > ' ' && c < 127));
    assertThat(owner.toString()).isEqualTo(text);
  }

  @Property
  void aFullNameIsAcceptedExactlyWhenBothPartsAre(
      @ForAll("texts") String owner, @ForAll("texts") String name) {
    boolean valid = GitHubNames.isLogin(owner) && GitHubNames.isRepository(name);
    if (valid) {
      assertThat(GitHubNames.requireFullName(owner + "/" + name)).isEqualTo(owner + "/" + name);
    } else {
      assertThatThrownBy(() -> GitHubNames.requireFullName(owner + "/" + name))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Example
  void refusesTheNamesOfTheIssue() {
    assertThatThrownBy(() -> GitHubNames.requireFullName("acme/../x"))
        .hasMessageContaining("invalid repository name '../x'");
    assertThatThrownBy(() -> GitHubNames.requireFullName("../x"))
        .hasMessageContaining("invalid owner login '..'");
    assertThatThrownBy(() -> RunnerOwner.parse("acme-org/../../etc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunnerOwner.repo("acme", ".."))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunnerOwner.org("acme__org"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Example
  void acceptsTheEdgesOfTheRules() {
    assertThat(GitHubNames.isLogin("a")).isTrue();
    assertThat(GitHubNames.isLogin("a".repeat(39))).isTrue();
    assertThat(GitHubNames.isLogin("octo-org-2")).isTrue();
    assertThat(GitHubNames.isRepository(".github")).isTrue();
    assertThat(GitHubNames.isRepository("...")).isTrue();
    assertThat(GitHubNames.isRepository("x".repeat(100))).isTrue();
    assertThat(GitHubNames.isRepository("_")).isTrue();
  }

  @Example
  void aJobMessageGivesItsRepositoryOnlyWhenTheNamesAreValid() {
    JobMessage good = message("acme/api.v2");
    assertThat(good.repositoryOwner()).isEqualTo(RunnerOwner.repo("acme", "api.v2"));
    assertThatThrownBy(() -> message("acme-org/../../etc").repositoryOwner())
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static JobMessage message(String repository) {
    return new JobMessage(1, 1, repository, repository.substring(0, repository.indexOf('/')),
        "Organization", 1, List.of("self-hosted"), "linux", "d", java.time.Instant.EPOCH);
  }

  @Provide
  Arbitrary<String> logins() {
    Arbitrary<String> part = Arbitraries.strings().withChars(ALNUM).ofMinLength(1).ofMaxLength(12);
    return part.list().ofMinSize(1).ofMaxSize(4).map(parts -> String.join("-", parts))
        .filter(login -> login.length() <= GitHubNames.MAX_LOGIN);
  }

  @Provide
  Arbitrary<String> repositories() {
    return Arbitraries.strings().withChars(ALNUM + "._-").ofMinLength(1).ofMaxLength(100);
  }

  @Provide
  Arbitrary<Character> foreign() {
    return Arbitraries.chars().all().filter(c -> ALNUM.indexOf(c) < 0 && c != '-');
  }

  @Provide
  Arbitrary<Character> foreignToRepositories() {
    return foreign().filter(c -> c != '.' && c != '_');
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars(ALNUM + "./-_ %\\\u0000é").ofMaxLength(20),
        Arbitraries.strings().all().ofMaxLength(12),
        logins());
  }
}
