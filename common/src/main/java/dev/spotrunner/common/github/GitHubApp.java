package dev.spotrunner.common.github;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Secret;
import dev.spotrunner.common.parameters.Parameters;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A GitHub App as spotrunner uses it: signs app JWTs, finds the installation covering an owner
 * (hint from a webhook, or {@code GET /orgs/{org}/installation} / {@code /repos/{o}/{r}/installation},
 * cached per account), and hands out installation tokens cached until 5 minutes before expiry.
 * App id and key are read from SSM on first use, not at construction, so nothing secret is loaded
 * before a SnapStart snapshot; when GitHub refuses the App's JWT (401) they are read again, past
 * the parameter cache, and the call is repeated once, so a key rotated in SSM takes effect at once.
 *
 * <p>All calls use {@code java.net.http}, not github-api: every request must pass the one
 * {@link RequestGovernor} (budget, back-off with an injected sleeper), while github-api brings its
 * own rate-limit and abuse handlers that sleep on their own, plus its jar weight and reflection at
 * cold start, for the four app/job calls it would cover.
 *
 * <pre>{@code
 * GitHubApp app = GitHubApp.fromEnv(new Env(System.getenv()), parameters, Clock.systemUTC());
 * GitHubRunners github = app.runners();
 * }</pre>
 */
public final class GitHubApp {
  private static final Log LOG = Log.of(GitHubApp.class);
  static final String APP_KEY = "app";

  private final GitHubHttp http;
  private final Clock clock;
  private final AppCredentials credentials;
  private final InstallationTokens tokens;
  // an installation belongs to one account, so the login is the key for orgs and repos alike
  private final Map<String, Long> installations = new ConcurrentHashMap<>();

  GitHubApp(GitHubHttp http, Clock clock, AppCredentials credentials) {
    this.http = http;
    this.clock = clock;
    this.credentials = credentials;
    this.tokens = new InstallationTokens(clock, this::issueToken);
  }

  /** Reads GITHUB_API_URL, GITHUB_APP_ID_PARAM and GITHUB_APP_KEY_PARAM; throws naming all problems. */
  public static GitHubApp fromEnv(Env env, Parameters parameters, Clock clock) {
    GitHubAppSettings settings = GitHubAppSettings.read(env);
    env.check();
    return create(settings, parameters, clock, GovernorLimits.GITHUB, Sleeper.REAL);
  }

  public static GitHubApp create(GitHubAppSettings settings, Parameters parameters, Clock clock,
      GovernorLimits limits, Sleeper sleeper) {
    return create(settings, parameters, clock, limits, sleeper, false);
  }

  /** {@code yieldOnLimit}: see {@link RequestGovernor}; set when other Apps can take the call. */
  static GitHubApp create(GitHubAppSettings settings, Parameters parameters, Clock clock,
      GovernorLimits limits, Sleeper sleeper, boolean yieldOnLimit) {
    if (settings.apps().size() != 1) {
      throw new IllegalArgumentException("one App per GitHubApp; GitHubApps takes several");
    }
    return new GitHubApp(
        new GitHubHttp(settings.apiUrl(), GitHubHttp.defaultClient(),
            new RequestGovernor(clock, sleeper, shared(limits, settings), PointsMeter.stdout(),
                yieldOnLimit)),
        clock, AppCredentials.fromParameters(parameters, settings, clock));
  }

  /**
   * The limits with this container's share of the installation's budget: a share below 900
   * narrows them; a share above 900 (Terraform's split of a GitHub Enterprise Server limit above
   * github.com's) replaces their 900; 900, the default without a share, leaves them as given.
   */
  static GovernorLimits shared(GovernorLimits limits, GitHubAppSettings settings) {
    int share = settings.pointsPerMinute();
    if (share < GitHubAppSettings.GITHUB_POINTS) {
      return limits.withPointsPerMinute(Math.min(limits.pointsPerMinute(), share));
    }
    return share > GitHubAppSettings.GITHUB_POINTS ? limits.withPointsPerMinute(share) : limits;
  }

  /** The runners-and-jobs port on top of this app. */
  public HttpGitHubRunners runners() {
    return new HttpGitHubRunners(this);
  }

  public URI apiUrl() {
    return http.baseUrl();
  }

  GitHubHttp http() {
    return http;
  }

  /** Remembers the installation a webhook named for this owner's account. */
  public void knownInstallation(RunnerOwner owner, long installationId) {
    installations.put(owner.login(), installationId);
  }

  /** The installation covering the owner's account, looked up once. */
  public long installationId(RunnerOwner owner) {
    Long known = installations.get(owner.login());
    if (known != null) {
      return known;
    }
    String path = owner.isRepository()
        ? "repos/" + owner.login() + "/" + owner.repository() + "/installation"
        : "orgs/" + owner.login() + "/installation";
    GitHubHttp.Response answer = appCall("GET", path);
    if (answer.status() == 404) {
      throw new NotInstalled(owner);
    }
    long id = json(answer, "installation lookup for " + owner).path("id").asLong(0);
    if (id <= 0) {
      throw new TransientFailure("GitHub's installation answer for " + owner + " has no id");
    }
    installations.put(owner.login(), id);
    LOG.info("github installation found", entry("owner", owner.login()),
        entry("installation_id", id));
    return id;
  }

  /** A token for the installation, cached until 5 minutes before it expires. */
  public InstallationToken token(long installationId) {
    return tokens.get(installationId);
  }

  void forgetToken(long installationId, InstallationToken refused) {
    tokens.forget(installationId, refused);
  }

  private InstallationToken issueToken(long installationId) {
    GitHubHttp.Response answer =
        appCall("POST", "app/installations/" + installationId + "/access_tokens");
    if (answer.status() == 404) {
      throw new PermanentFailure("GitHub App installation " + installationId + " not found");
    }
    JsonNode body = json(answer, "installation token");
    String token = body.path("token").asText("");
    if (token.isEmpty()) {
      throw new TransientFailure("GitHub's installation token answer has no token");
    }
    Instant expiresAt = parseTime(body.path("expires_at").asText(null));
    LOG.info("github installation token issued", entry("installation_id", installationId),
        entry("expires_at", expiresAt));
    return new InstallationToken(installationId, new Secret(token), expiresAt);
  }

  /** A call as the App; a refused JWT (401) is retried once with the key read again from SSM. */
  private GitHubHttp.Response appCall(String method, String path) {
    AppCredentials.Signer signer = credentials.current();
    GitHubHttp.Response answer = send(signer, method, path);
    if (answer.status() == 401) {
      Optional<AppCredentials.Signer> reread = credentials.reread(signer);
      if (reread.isPresent()) {
        answer = send(reread.get(), method, path);
      }
    }
    if (answer.status() == 401) {
      throw new AppKeyRefused("GitHub refused the App JWT (401) for " + method + " " + path
          + ", also after reading the key again: check the app id, the private key and the clock");
    }
    return answer;
  }

  private GitHubHttp.Response send(AppCredentials.Signer signer, String method, String path) {
    return http.send(APP_KEY, method, path, "Bearer " + signer.jwt().sign(), null);
  }

  private JsonNode json(GitHubHttp.Response answer, String what) {
    if (!answer.ok()) {
      throw HttpGitHubRunners.failure(answer, what);
    }
    try {
      return Json.MAPPER.readTree(answer.body());
    } catch (java.io.IOException e) {
      throw new TransientFailure("GitHub's " + what + " answer is not JSON");
    }
  }

  static Instant parseTime(String text) {
    if (text == null || text.isBlank() || "null".equals(text)) {
      return null;
    }
    return OffsetDateTime.parse(text).toInstant();
  }

  Clock clock() {
    return clock;
  }
}
