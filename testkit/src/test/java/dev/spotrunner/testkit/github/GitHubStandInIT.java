package dev.spotrunner.testkit.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import io.jsonwebtoken.Jwts;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stand-in itself, over HTTP: what the adapters' ITs do not cover. */
class GitHubStandInIT {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NORMAL).build();
  private static GitHubStandIn github;

  @BeforeAll
  static void start() {
    github = GitHubStandIn.start();
  }

  @AfterAll
  static void stop() {
    github.close();
  }

  @Test
  void servesRunnerReleasesWithChecksumMarkersAndStreamsLargeAssets() throws Exception {
    long size = 200L * 1024 * 1024;
    github.publishRelease("2.329.0", List.of(
        ReleaseAsset.of("linux-x64", "2.329.0", 1000, ReleaseAsset.generated(1000, 1))));
    github.publishRelease("2.330.0", List.of(
        ReleaseAsset.of("linux-x64", "2.330.0", size, ReleaseAsset.generated(size, 7)),
        ReleaseAsset.of("linux-arm64", "2.330.0", 4096, ReleaseAsset.generated(4096, 8))));

    JsonNode latest = getJson(github.apiUrl() + "/repos/actions/runner/releases/latest");
    JsonNode pinned = getJson(github.enterpriseApiUrl()
        + "/repos/actions/runner/releases/tags/v2.329.0");

    assertThat(latest.path("tag_name").asText()).isEqualTo("v2.330.0");
    assertThat(pinned.path("tag_name").asText()).isEqualTo("v2.329.0");
    Matcher marker = Pattern.compile(
        "<!-- BEGIN SHA linux-x64 -->([0-9a-f]{64})<!-- END SHA linux-x64 -->")
        .matcher(latest.path("body").asText());
    assertThat(marker.find()).isTrue();
    JsonNode asset = latest.path("assets").get(0);
    assertThat(asset.path("name").asText()).isEqualTo("actions-runner-linux-x64-2.330.0.tar.gz");
    assertThat(asset.path("size").asLong()).isEqualTo(size);
    assertThat(asset.path("digest").asText()).isEqualTo("sha256:" + marker.group(1));

    HttpResponse<InputStream> download = HTTP.send(
        HttpRequest.newBuilder(URI.create(asset.path("browser_download_url").asText())).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(download.statusCode()).isEqualTo(200);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long read;
    try (InputStream in = new DigestInputStream(download.body(), sha)) {
      read = in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    assertThat(read).isEqualTo(size);
    assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(marker.group(1));
    assertThat(github.calls("download-asset")).isEqualTo(1);
    assertThat(get(github.apiUrl() + "/repos/actions/runner/releases/tags/v9.9.9").statusCode())
        .isEqualTo(404);
  }

  @Test
  void refusesJwtsThatAreBadlySignedExpiredOrTooLong() throws Exception {
    Instant now = Instant.now();
    String foreign = Jwts.builder().issuer(String.valueOf(github.appId()))
        .issuedAt(Date.from(now.minusSeconds(60))).expiration(Date.from(now.plusSeconds(300)))
        .signWith(AppKeys.generate().privateKey(), Jwts.SIG.RS256).compact();
    String expired = signed(now.minusSeconds(1200), now.minusSeconds(600));
    String tooLong = signed(now.minusSeconds(60), now.plusSeconds(3600));
    String good = signed(now.minusSeconds(60), now.plusSeconds(540));
    github.install("jwt-org");

    assertThat(appGet("/orgs/jwt-org/installation", foreign).statusCode()).isEqualTo(401);
    assertThat(appGet("/orgs/jwt-org/installation", expired).statusCode()).isEqualTo(401);
    assertThat(appGet("/orgs/jwt-org/installation", tooLong).statusCode()).isEqualTo(401);
    assertThat(appGet("/orgs/jwt-org/installation", good).statusCode()).isEqualTo(200);
    assertThat(appGet("/orgs/nobody/installation", good).statusCode()).isEqualTo(404);
  }

  @Test
  void limitsInstallationTokensToTheAccountTheyCover() throws Exception {
    long mine = github.install("mine");
    github.install("theirs");
    String jwt = signed(Instant.now().minusSeconds(60), Instant.now().plusSeconds(540));
    HttpResponse<String> issued = HTTP.send(HttpRequest.newBuilder(
            URI.create(github.apiUrl() + "/app/installations/" + mine + "/access_tokens"))
        .header("Authorization", "Bearer " + jwt)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(issued.statusCode()).isEqualTo(201);
    String token = Json.MAPPER.readTree(issued.body()).path("token").asText();
    assertThat(token).startsWith("ghs_");

    HttpResponse<String> own = tokenGet("/orgs/mine/actions/runners", "token " + token);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.headers().firstValue("x-ratelimit-remaining")).isPresent();
    assertThat(tokenGet("/orgs/theirs/actions/runners", "Bearer " + token).statusCode())
        .isEqualTo(403);
    assertThat(tokenGet("/orgs/mine/actions/runners", "Bearer ghs_madeup").statusCode())
        .isEqualTo(401);
    assertThat(tokenGet("/orgs/mine/actions/runners", null).statusCode()).isEqualTo(401);
  }

  @Test
  void answersSecondaryLimitsWithRetryAfterOnceThePointsAreSpent() throws Exception {
    long id = github.install("busy-org");
    String token = github.issueToken(id).getKey();
    github.rateBudget(3, Duration.ofMinutes(1));
    try {
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> last = null;
      for (int i = 0; i < 4; i++) {
        last = tokenGet("/orgs/busy-org/actions/runners", "Bearer " + token);
        statuses.add(last.statusCode());
      }
      assertThat(statuses).containsExactly(200, 200, 200, 403);
      assertThat(last.headers().firstValue("retry-after")).isPresent();
      assertThat(last.body()).contains("secondary rate limit");
      assertThat(github.pointsUsed(id)).isEqualTo(3);
    } finally {
      github.resetCountersAndFaults();
    }
  }

  @Test
  void offersItsJavaApiOverHttpForOtherProcesses() throws Exception {
    List<String> changes = new ArrayList<>();
    github.onJobChanged((job, previous) -> changes.add(job.id() + ":" + previous + "->"
        + job.status()));

    assertThat(admin("POST", "/_standin/installations", "{\"login\":\"local\"}").statusCode())
        .isEqualTo(201);
    assertThat(admin("POST", "/_standin/jobs",
        "{\"id\":9001,\"owner\":\"local\",\"repo\":\"app\",\"labels\":[\"self-hosted\"]}")
        .statusCode()).isEqualTo(201);
    assertThat(admin("PATCH", "/_standin/jobs/9001", "{\"status\":\"in_progress\"}")
        .statusCode()).isEqualTo(200);
    JsonNode app = Json.MAPPER.readTree(admin("GET", "/_standin/app", null).body());
    JsonNode state = Json.MAPPER.readTree(admin("GET", "/_standin/state", null).body());

    assertThat(changes).containsExactly("9001:null->queued", "9001:queued->in_progress");
    assertThat(app.path("app_id").asLong()).isEqualTo(github.appId());
    assertThat(app.path("private_key").asText()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(state.path("jobs").toString()).contains("9001");
    assertThat(github.installation("local")).isPresent();

    long id = github.installation("local").orElseThrow();
    String token = github.issueToken(id).getKey();
    assertThat(admin("POST", "/_standin/faults", "{\"fail_next\":{\"count\":1,\"status\":502}}")
        .statusCode()).isEqualTo(204);
    assertThat(tokenGet("/repos/local/app/actions/jobs/9001", "Bearer " + token).statusCode())
        .isEqualTo(502);
    assertThat(tokenGet("/repos/local/app/actions/jobs/9001", "Bearer " + token).statusCode())
        .isEqualTo(200);
    StandInRunner runner = github.addRunner("orgs/local", "r1", "online", false, List.of("a"));
    assertThat(admin("PATCH", "/_standin/runners/" + runner.id(), "{\"busy\":true}").statusCode())
        .isEqualTo(200);
    assertThat(github.runner(runner.id()).orElseThrow().busy()).isTrue();
  }

  @Test
  void acceptsJwtsOfEveryKeyTheAppHoldsUntilOneIsDeleted() throws Exception {
    try (GitHubStandIn app = GitHubStandIn.start()) {
      app.install("rot-org");
      AppKeys first = app.appKeys();
      AppKeys second = app.rotateKey();
      String path = app.apiUrl() + "/orgs/rot-org/installation";

      assertThat(jwtGet(path, app, first).statusCode()).isEqualTo(200);
      assertThat(jwtGet(path, app, second).statusCode()).isEqualTo(200);
      assertThat(app.appKeys()).isSameAs(second);

      app.revokeKey(first);

      HttpResponse<String> refused = jwtGet(path, app, first);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).contains("A JSON web token could not be decoded");
      assertThat(jwtGet(path, app, second).statusCode()).isEqualTo(200);
      assertThat(app.acceptedKeys()).containsExactly(second);
    }
  }

  @Test
  void rotatesAndDeletesKeysOverHttpForOtherProcesses() throws Exception {
    try (GitHubStandIn app = GitHubStandIn.start()) {
      String old = app.appKeys().pkcs8Pem();
      HttpResponse<String> added = HTTP.send(HttpRequest.newBuilder(
          URI.create(app.apiUrl() + "/_standin/app/keys")).POST(HttpRequest.BodyPublishers
          .noBody()).build(), HttpResponse.BodyHandlers.ofString());
      String fresh = Json.MAPPER.readTree(added.body()).path("private_key").asText();
      HttpResponse<String> revoked = HTTP.send(HttpRequest.newBuilder(
          URI.create(app.apiUrl() + "/_standin/app/keys/revoke")).POST(HttpRequest.BodyPublishers
          .ofString(Json.MAPPER.createObjectNode().put("private_key", old).toString())).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(added.statusCode()).isEqualTo(201);
      assertThat(revoked.statusCode()).isEqualTo(204);
      assertThat(app.acceptedKeys()).extracting(AppKeys::pkcs8Pem).containsExactly(fresh);
    }
  }

  @Test
  void issuesJitConfigsShapedAndSizedLikeGitHubs() throws Exception {
    long id = github.install("jit-org");
    String token = github.issueToken(id).getKey();

    HttpResponse<String> answer = tokenPost("/orgs/jit-org/actions/runners/generate-jitconfig",
        token, "{\"name\":\"dev-i-0abc\",\"runner_group_id\":1,\"labels\":[\"self-hosted\"]}");

    assertThat(answer.statusCode()).isEqualTo(201);
    JsonNode body = Json.MAPPER.readTree(answer.body());
    String encoded = body.path("encoded_jit_config").asText();
    assertThat(encoded.length()).isGreaterThanOrEqualTo(5 * 1024);
    JsonNode files = Json.MAPPER.readTree(java.util.Base64.getDecoder().decode(encoded));
    assertThat(files.fieldNames()).toIterable()
        .containsExactlyInAnyOrder(".runner", ".credentials", ".credentials_rsaparams");
    JsonNode runner = decodedFile(files, ".runner");
    assertThat(runner.path("agentName").asText()).isEqualTo("dev-i-0abc");
    assertThat(runner.path("agentId").asLong()).isEqualTo(body.path("runner").path("id").asLong());
    assertThat(decodedFile(files, ".credentials").path("scheme").asText()).isEqualTo("OAuth");
    assertThat(decodedFile(files, ".credentials_rsaparams").fieldNames()).toIterable()
        .contains("modulus", "exponent", "d", "p", "q", "dp", "dq", "inverseQ");
    assertThat(body.path("runner").path("status").asText()).isEqualTo("offline");
    HttpResponse<String> byName = tokenGet("/orgs/jit-org/actions/runners?name=dev-i-0abc",
        "Bearer " + token);
    assertThat(Json.MAPPER.readTree(byName.body()).path("total_count").asInt()).isEqualTo(1);
    assertThat(Json.MAPPER.readTree(tokenGet("/orgs/jit-org/actions/runners?name=other",
        "Bearer " + token).body()).path("total_count").asInt()).isZero();
  }

  @Test
  void losesAnAnswerAfterDoingTheWork() throws Exception {
    long id = github.install("lossy-org");
    String token = github.issueToken(id).getKey();
    github.loseNextAnswers("generate-jitconfig", 1, LostAnswer.BAD_GATEWAY);
    github.loseNextAnswers("generate-jitconfig", 1, LostAnswer.CONNECTION_CLOSED);
    String path = "/orgs/lossy-org/actions/runners/generate-jitconfig";
    try {
      HttpResponse<String> gateway = tokenPost(path, token,
          "{\"name\":\"lost-1\",\"runner_group_id\":1,\"labels\":[\"x\"]}");
      Throwable closed = org.assertj.core.api.Assertions.catchThrowable(() -> tokenPost(path, token,
          "{\"name\":\"lost-2\",\"runner_group_id\":1,\"labels\":[\"x\"]}"));
      HttpResponse<String> again = tokenPost(path, token,
          "{\"name\":\"lost-1\",\"runner_group_id\":1,\"labels\":[\"x\"]}");

      assertThat(gateway.statusCode()).isEqualTo(502);
      assertThat(closed).isInstanceOf(java.io.IOException.class);
      assertThat(github.runners("orgs/lossy-org")).extracting(StandInRunner::name)
          .containsExactly("lost-1", "lost-2");
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(again.body()).contains("already exists");
    } finally {
      github.resetCountersAndFaults();
    }
  }

  private static JsonNode decodedFile(JsonNode files, String name) throws Exception {
    return Json.MAPPER.readTree(java.util.Base64.getDecoder().decode(files.path(name).asText()));
  }

  private static HttpResponse<String> jwtGet(String url, GitHubStandIn app, AppKeys key)
      throws Exception {
    Instant now = Instant.now();
    String jwt = Jwts.builder().issuer(String.valueOf(app.appId()))
        .issuedAt(Date.from(now.minusSeconds(60))).expiration(Date.from(now.plusSeconds(300)))
        .signWith(key.privateKey(), Jwts.SIG.RS256).compact();
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer "
        + jwt).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> tokenPost(String path, String token, String body)
      throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(github.apiUrl() + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String signed(Instant issuedAt, Instant expiresAt) {
    return Jwts.builder().issuer(String.valueOf(github.appId())).issuedAt(Date.from(issuedAt))
        .expiration(Date.from(expiresAt)).signWith(github.appKeys().privateKey(), Jwts.SIG.RS256)
        .compact();
  }

  private static HttpResponse<String> appGet(String path, String jwt) throws Exception {
    return tokenGet(path, "Bearer " + jwt);
  }

  private static HttpResponse<String> tokenGet(String path, String authorization)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(github.apiUrl() + path))
        .header("Accept", "application/vnd.github+json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode getJson(String url) throws Exception {
    HttpResponse<String> answer = get(url);
    assertThat(answer.statusCode()).isEqualTo(200);
    return Json.MAPPER.readTree(answer.body());
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(github.apiUrl() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
