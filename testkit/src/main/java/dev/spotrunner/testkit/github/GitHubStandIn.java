package dev.spotrunner.testkit.github;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stateful stand-in for the part of GitHub's REST API spotrunner uses, over real HTTP on a
 * loopback port, for github.com paths and the GitHub Enterprise Server {@code /api/v3} prefix. One
 * GitHub App (key pair generated at start; more keys by {@link #rotateKey()}, as GitHub allows)
 * can be installed on accounts; installation tokens
 * authorise the runner and job endpoints of the accounts they cover. This class is the Java API
 * for tests and the local stack; {@code /_standin/...} offers the same over HTTP
 * (docs/github-standin.md).
 *
 * <pre>{@code
 * try (GitHubStandIn github = GitHubStandIn.start()) {
 *   long installation = github.install("acme");
 *   github.addJob("acme", "api", 42, List.of("self-hosted", "linux"));
 *   ... GITHUB_API_URL = github.apiUrl() ...
 * }
 * }</pre>
 */
public final class GitHubStandIn implements AutoCloseable {
  static final long DEFAULT_GROUP_ID = 1;
  private static final SecureRandom RANDOM = new SecureRandom();

  final Clock clock;
  final StandInLimits limits;
  final long appId;
  final StandInWorkflowRuns workflowRuns = new StandInWorkflowRuns();
  private final List<StandInApp> apps = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService executor;
  private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong(5000);

  // state, guarded by this
  private final Map<String, Token> tokens = new LinkedHashMap<>();
  private final Map<String, Integer> tokenSerials = new HashMap<>();
  private final Map<String, Instant> registrationTokens = new LinkedHashMap<>(); // token -> expiry
  private final Map<String, String> registrationOwners = new LinkedHashMap<>();  // token -> owner path
  private final Map<Long, StandInJob> jobs = new LinkedHashMap<>();
  private final Map<Long, StandInRunner> runners = new LinkedHashMap<>();
  private final Map<String, Long> jitConfigs = new LinkedHashMap<>();
  private final Map<String, Map<Long, String>> groups = new LinkedHashMap<>();   // org -> id -> name
  private final Map<String, Release> releases = new LinkedHashMap<>();
  private final Map<Long, ReleaseAsset> assets = new LinkedHashMap<>();
  private Duration tokenLifetime = Duration.ofHours(1);

  record Token(long installationId, Instant expiresAt) {}

  /** A published release; asset ids in the same order as the assets. */
  record Release(long id, String version, String body, Instant publishedAt,
      List<ReleaseAsset> assets, List<Long> assetIds, List<String> sha256) {}

  private GitHubStandIn(Clock clock, int port) throws IOException {
    this.clock = clock;
    this.limits = new StandInLimits(clock);
    this.apps.add(new StandInApp(true, ids::incrementAndGet));
    this.appId = apps.get(0).appId();
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext("/", new StandInRoutes(this, new StandInAdmin(this)));
    server.start();
  }

  /** Starts on a free loopback port with the system clock. */
  public static GitHubStandIn start() {
    return start(Clock.systemUTC(), 0);
  }

  public static GitHubStandIn start(Clock clock, int port) {
    try {
      return new GitHubStandIn(clock, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the GitHub stand-in", e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** {@code http://127.0.0.1:PORT}: the github.com-style API root (and release download host). */
  public URI apiUrl() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
        + server.getAddress().getPort());
  }

  /** The same API under GitHub Enterprise Server's prefix: {@code http://127.0.0.1:PORT/api/v3}. */
  public URI enterpriseApiUrl() {
    return URI.create(apiUrl() + "/api/v3");
  }

  public long appId() {
    return appId;
  }

  /** The first App (the one every stand-in starts with). */
  public StandInApp app() {
    return apps.get(0);
  }

  /** Registers another GitHub App on this GitHub, installed nowhere yet. */
  public StandInApp addApp() {
    StandInApp added = new StandInApp(false, ids::incrementAndGet);
    apps.add(added);
    return added;
  }

  /** Every App, the first one first. */
  public List<StandInApp> apps() {
    return List.copyOf(apps);
  }

  /** The first App's newest private key (the one generated at start until {@link #rotateKey()}). */
  public AppKeys appKeys() {
    return app().appKeys();
  }

  /** {@link StandInApp#rotateKey()} of the first App. */
  public AppKeys rotateKey() {
    return app().rotateKey();
  }

  /** Deletes one of the first App's keys: JWTs it signs are answered 401 from now on. */
  public void revokeKey(AppKeys key) {
    app().revokeKey(key);
  }

  /** Every key GitHub accepts for the first App now, oldest first. */
  public List<AppKeys> acceptedKeys() {
    return app().acceptedKeys();
  }

  // ---- installations and tokens

  /** Installs the first App on an account (organisation or user); returns the installation id. */
  public long install(String login) {
    return app().install(login);
  }

  public Optional<Long> installation(String login) {
    return app().installation(login);
  }

  /** Every installation of the first App: account login to installation id. */
  public Map<String, Long> installations() {
    return app().installations();
  }

  Optional<String> installationLogin(long id) {
    return apps.stream().map(a -> a.installationLogin(id)).flatMap(Optional::stream).findFirst();
  }

  /** How long new installation tokens live (GitHub: one hour). */
  public synchronized void tokenLifetime(Duration lifetime) {
    tokenLifetime = lifetime;
  }

  /** Revokes every installation token, as GitHub does when an app's key or install changes. */
  public synchronized void revokeTokens() {
    tokens.clear();
  }

  synchronized Map.Entry<String, Token> issueToken(long installationId) {
    String token = "ghs_" + randomAlphanumeric(36);
    Token issued = new Token(installationId, clock.instant().plus(tokenLifetime));
    tokens.put(token, issued);
    tokenSerials.put(token, tokenSerials.size() + 1);
    return Map.entry(token, issued);
  }

  /** {@code token-<n>}: the n-th installation token issued; null for another credential. */
  synchronized String tokenClient(String token) {
    Integer serial = token == null ? null : tokenSerials.get(token);
    return serial == null ? null : "token-" + serial;
  }

  synchronized Optional<Token> token(String token) {
    Token found = tokens.get(token);
    return found == null || !found.expiresAt().isAfter(clock.instant())
        ? Optional.empty() : Optional.of(found);
  }

  // ---- jobs

  /** Adds a queued job of {@code owner/repo}. */
  public StandInJob addJob(String owner, String repo, long id, List<String> labels) {
    StandInJob job = new StandInJob(id, id + 1_000_000, owner, repo, "queued", null, labels,
        clock.instant(), null, null, null, null);
    synchronized (this) {
      jobs.put(id, job);
    }
    notifyListeners(job, null);
    return job;
  }

  /**
   * Adds a workflow run of {@code owner/repo} created now, listed by
   * {@code GET /repos/{owner}/{repo}/actions/runs}; its jobs are added with
   * {@link #addRunJob}, and its status follows from theirs.
   */
  public void addWorkflowRun(String owner, String repo, long runId, String workflowName) {
    workflowRuns.add(new StandInWorkflowRuns.Run(runId, owner, repo, workflowName,
        clock.instant()));
  }

  /** Adds a queued job named {@code name} to a workflow run (created now). */
  public StandInJob addRunJob(long runId, long id, String name, List<String> labels) {
    StandInWorkflowRuns.Run run = workflowRuns.run(runId);
    if (run == null) {
      throw new IllegalArgumentException("no workflow run " + runId);
    }
    StandInJob job = new StandInJob(id, runId, run.owner(), run.repo(), "queued", null, labels,
        clock.instant(), null, null, null, null);
    workflowRuns.name(id, name);
    synchronized (this) {
      jobs.put(id, job);
    }
    notifyListeners(job, null);
    return job;
  }

  /** The jobs of a workflow run, in the order they were added. */
  public synchronized List<StandInJob> jobsOfRun(long runId) {
    return jobs.values().stream().filter(j -> j.runId() == runId).toList();
  }

  /** Moves a job to queued / in_progress / completed (conclusion e.g. success, cancelled). */
  public StandInJob updateJob(long id, String status, String conclusion) {
    return changeJob(id, job -> job.withStatus(status, conclusion, clock.instant()));
  }

  /** A runner takes a queued job: the job turns in_progress and names the runner. */
  public StandInJob startJob(long id, StandInRunner runner) {
    return changeJob(id, job -> job.withStatus("in_progress", null, clock.instant())
        .assignedTo(runner.id(), runner.name()));
  }

  private StandInJob changeJob(long id, java.util.function.UnaryOperator<StandInJob> change) {
    StandInJob before;
    StandInJob after;
    synchronized (this) {
      before = jobs.get(id);
      if (before == null) {
        throw new IllegalArgumentException("no job " + id);
      }
      after = change.apply(before);
      jobs.put(id, after);
    }
    notifyListeners(after, before.status());
    return after;
  }

  public synchronized Optional<StandInJob> job(long id) {
    return Optional.ofNullable(jobs.get(id));
  }

  public synchronized List<StandInJob> jobs() {
    return List.copyOf(jobs.values());
  }

  public void onJobChanged(JobListener listener) {
    listeners.add(listener);
  }

  private void notifyListeners(StandInJob job, String previousStatus) {
    listeners.forEach(listener -> listener.jobChanged(job, previousStatus));
  }

  // ---- runners

  /** Adds a runner directly (as if configured earlier). ownerPath: orgs/acme or repos/acme/api. */
  public synchronized StandInRunner addRunner(String ownerPath, String name, String status,
      boolean busy, List<String> labels) {
    StandInRunner runner = new StandInRunner(ids.incrementAndGet(), ownerPath, name, status, busy,
        false, labels, DEFAULT_GROUP_ID);
    runners.put(runner.id(), runner);
    return runner;
  }

  /** A new offline ephemeral runner and its encoded JIT config; empty if the name is taken. */
  synchronized Optional<Map.Entry<StandInRunner, String>> createJitRunner(String ownerPath,
      String name, List<String> labels, long groupId) {
    if (runners(ownerPath).stream().anyMatch(r -> r.name().equals(name))) {
      return Optional.empty();
    }
    StandInRunner runner = new StandInRunner(ids.incrementAndGet(), ownerPath, name, "offline",
        false, true, labels, groupId);
    String config = JitConfigText.generate(runner.id(), name, ownerPath, apiUrl().toString());
    runners.put(runner.id(), runner);
    jitConfigs.put(config, runner.id());
    return Optional.of(Map.entry(runner, config));
  }

  synchronized String createRegistrationToken(String ownerPath, Instant expiresAt) {
    String token = randomAlphanumeric(29).toUpperCase(java.util.Locale.ROOT);
    registrationTokens.put(token, expiresAt);
    registrationOwners.put(token, ownerPath);
    return token;
  }

  /** What a runner's {@code run.sh --jitconfig} does: the runner comes online. */
  public synchronized StandInRunner startWithJitConfig(String encodedJitConfig) {
    Long id = jitConfigs.get(encodedJitConfig);
    if (id == null || !runners.containsKey(id)) {
      throw new IllegalArgumentException("unknown or used JIT config");
    }
    return setRunner(id, "online", false);
  }

  /** What {@code config.sh --token} then {@code run.sh} do: registers and starts a runner. */
  public synchronized StandInRunner registerWithToken(String registrationToken, String name,
      List<String> labels, boolean ephemeral) {
    Instant expiry = registrationTokens.get(registrationToken);
    if (expiry == null || !expiry.isAfter(clock.instant())) {
      throw new IllegalArgumentException("unknown or expired registration token");
    }
    StandInRunner runner = new StandInRunner(ids.incrementAndGet(),
        registrationOwners.get(registrationToken), name, "online", false, ephemeral, labels,
        DEFAULT_GROUP_ID);
    runners.put(runner.id(), runner);
    return runner;
  }

  /** Marks a runner online/offline and busy/idle. */
  public synchronized StandInRunner setRunner(long id, String status, boolean busy) {
    StandInRunner runner = runners.get(id);
    if (runner == null) {
      throw new IllegalArgumentException("no runner " + id);
    }
    StandInRunner updated = runner.with(status, busy);
    runners.put(id, updated);
    return updated;
  }

  public synchronized Optional<StandInRunner> runner(long id) {
    return Optional.ofNullable(runners.get(id));
  }

  public synchronized Optional<StandInRunner> runnerByJitConfig(String encodedJitConfig) {
    return Optional.ofNullable(jitConfigs.get(encodedJitConfig)).map(runners::get);
  }

  /** Runners of one owner path, in creation order. */
  public synchronized List<StandInRunner> runners(String ownerPath) {
    return runners.values().stream().filter(r -> r.ownerPath().equals(ownerPath)).toList();
  }

  public synchronized List<StandInRunner> allRunners() {
    return List.copyOf(runners.values());
  }

  public synchronized boolean removeRunner(long id) {
    jitConfigs.values().remove(id);
    return runners.remove(id) != null;
  }

  /** Adds a runner group to an organisation ("Default" with id 1 always exists). */
  public synchronized long addRunnerGroup(String org, String name) {
    long id = ids.incrementAndGet();
    groups.computeIfAbsent(org, o -> new LinkedHashMap<>()).put(id, name);
    return id;
  }

  synchronized Map<Long, String> runnerGroups(String org) {
    Map<Long, String> all = new LinkedHashMap<>();
    all.put(DEFAULT_GROUP_ID, "Default");
    all.putAll(groups.getOrDefault(org, Map.of()));
    return all;
  }

  // ---- releases

  /**
   * Publishes an {@code actions/runner} release; the newest published is "latest". Reads each
   * asset once to compute its SHA-256 for the release notes' markers and the asset digest.
   */
  public Release publishRelease(String version, List<ReleaseAsset> published) {
    List<String> sha256 = new ArrayList<>();
    for (ReleaseAsset asset : published) {
      sha256.add(sha256(asset));
    }
    StringBuilder body = new StringBuilder("## What's Changed\n- Runner release ")
        .append(version).append(" from the GitHub stand-in\n\n## SHA-256 Checksums\n\n"
            + "The SHA-256 checksums for the packages included in this build are shown below:\n\n");
    for (int i = 0; i < published.size(); i++) {
      ReleaseAsset asset = published.get(i);
      body.append("- ").append(asset.name()).append(" <!-- BEGIN SHA ").append(asset.platform())
          .append(" -->").append(sha256.get(i)).append("<!-- END SHA ").append(asset.platform())
          .append(" -->\n");
    }
    synchronized (this) {
      List<Long> assetIds = new ArrayList<>();
      for (ReleaseAsset asset : published) {
        long id = ids.incrementAndGet();
        assets.put(id, asset);
        assetIds.add(id);
      }
      Release release = new Release(ids.incrementAndGet(), version, body.toString(),
          clock.instant(), List.copyOf(published), assetIds, sha256);
      releases.remove(version);
      releases.put(version, release);
      return release;
    }
  }

  synchronized Optional<Release> release(String version) {
    return Optional.ofNullable(releases.get(version));
  }

  synchronized Optional<Release> latestRelease() {
    return releases.values().stream().reduce((first, second) -> second);
  }

  synchronized Optional<ReleaseAsset> asset(long id) {
    return Optional.ofNullable(assets.get(id));
  }

  synchronized Optional<Long> assetId(String version, String name) {
    Release release = releases.get(version);
    if (release == null) {
      return Optional.empty();
    }
    for (int i = 0; i < release.assets().size(); i++) {
      if (release.assets().get(i).name().equals(name)) {
        return Optional.of(release.assetIds().get(i));
      }
    }
    return Optional.empty();
  }

  // ---- counters and faults

  /** Calls answered per endpoint name (see docs/github-standin.md), including refused ones. */
  public int calls(String endpoint) {
    return limits.calls(endpoint);
  }

  /** Calls made with this installation's tokens. */
  public int callsByInstallation(long installationId) {
    return limits.callsBy("installation:" + installationId);
  }

  /** Calls made with the app's JWT. */
  public int callsByApp() {
    return limits.callsBy("app");
  }

  /**
   * Every authenticated request the secondary limit decided on since the start, a
   * {@link #resetCountersAndFaults reset} or a {@link #rateBudget} change, in order: admitted
   * ones with their points, refused ones (secondary-limit 403) marked.
   */
  public List<StandInSpend> spends() {
    return limits.spends();
  }

  /** Secondary-rate-limit answers given. */
  public int rateLimited() {
    return limits.rateLimited();
  }

  /** Secondary limit: points per window per caller (GitHub: 900 per minute). */
  public void rateBudget(int points, Duration window) {
    limits.budget(points, window);
  }

  /**
   * The most points this installation had in any one sliding window, over every client using its
   * tokens, since the start, a {@link #resetCountersAndFaults reset} or a {@link #rateBudget}
   * change.
   */
  public int peakPoints(long installationId) {
    return limits.peakPoints("installation:" + installationId);
  }

  /** Points this installation spent in the window ending now. */
  public int pointsUsed(long installationId) {
    return limits.pointsUsed("installation:" + installationId);
  }

  /** The next {@code count} authenticated API requests are answered with this status (5xx). */
  public void failNext(int count, int status) {
    limits.failNext(count, status);
  }

  /**
   * The next {@code count} answers of an endpoint are lost after the work is done, as when a
   * connection drops between GitHub and the caller: the request takes effect (a JIT runner is
   * registered) and the caller gets {@code how} instead of the answer. Honoured by
   * {@code generate-jitconfig}.
   */
  public void loseNextAnswers(String endpoint, int count, LostAnswer how) {
    limits.loseNext(endpoint, count, how);
  }

  /** The next {@code count} authenticated API requests get a secondary-limit 403 + retry-after. */
  public void secondaryLimitNext(int count, long retryAfterSeconds) {
    limits.secondaryLimitNext(count, retryAfterSeconds);
  }

  /**
   * The primary rate limit: requests per caller in a clock hour (GitHub: 5,000 for an
   * installation token). Past it GitHub answers 403 with {@code x-ratelimit-remaining: 0} until
   * {@code x-ratelimit-reset}.
   */
  public void primaryLimit(int requestsPerHour) {
    limits.primaryPerHour(requestsPerHour);
  }

  /** Delay before every API answer. */
  public void latency(Duration latency) {
    limits.latency(latency);
  }

  /** Clears counters and faults; state (installations, runners, jobs, releases) stays. */
  public void resetCountersAndFaults() {
    limits.reset();
  }

  Map<String, Object> counters() {
    return limits.snapshot();
  }

  static String randomAlphanumeric(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return text.toString();
  }

  private static String sha256(ReleaseAsset asset) {
    try (InputStream in = new DigestInputStream(asset.content().get(),
        MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
