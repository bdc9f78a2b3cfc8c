package dev.spotrunner.runners.sweeper;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.github.AppJwt;
import dev.spotrunner.common.github.RequestGovernor;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link HookDeliveries} over GitHub's REST API with the App's JWT: {@code GET
 * /app/hook/deliveries?per_page=100} (newest first, the next page's cursor in the {@code Link}
 * header) and {@code POST /app/hook/deliveries/{id}/attempts}. Every call passes the {@link
 * RequestGovernor} under the key {@code app}, which waits out {@code retry-after}, 429 and
 * secondary-limit answers and 5xx within its limits.
 */
final class HttpHookDeliveries implements HookDeliveries {
  static final String GOVERNOR_KEY = "app";
  private static final int PER_PAGE = 100;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

  private record Answer(int status, java.net.http.HttpHeaders headers, String body)
      implements RequestGovernor.Answer {
    @Override
    public Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  private final URI apiUrl;
  private final HttpClient client;
  private final RequestGovernor governor;
  private final Supplier<AppJwt> jwt;

  HttpHookDeliveries(URI apiUrl, HttpClient client, RequestGovernor governor, Supplier<AppJwt> jwt) {
    String text = apiUrl.toString();
    this.apiUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.client = client;
    this.governor = governor;
    this.jwt = jwt;
  }

  @Override
  public Page page(String cursor) {
    URI uri = cursor == null ? URI.create(apiUrl + "/app/hook/deliveries?per_page=" + PER_PAGE)
        : next(cursor);
    Answer answer = send("GET", uri, "list app hook deliveries");
    if (answer.status() != 200) {
      throw failure(answer, "list app hook deliveries");
    }
    List<HookDelivery> deliveries = new ArrayList<>();
    try {
      for (JsonNode node : Json.MAPPER.readTree(answer.body())) {
        deliveries.add(new HookDelivery(
            node.path("id").asLong(),
            node.path("guid").asText(),
            OffsetDateTime.parse(node.path("delivered_at").asText()).toInstant(),
            node.path("redelivery").asBoolean(false),
            node.path("status_code").asInt(0),
            node.path("event").asText(null),
            node.path("action").isNull() ? null : node.path("action").asText(null)));
      }
    } catch (IOException | RuntimeException e) {
      throw new TransientFailure("GitHub's delivery list is not what its docs describe: "
          + e.getClass().getSimpleName());
    }
    return new Page(deliveries, answer.header("link").map(HttpHookDeliveries::nextLink).orElse(null));
  }

  @Override
  public void redeliver(long deliveryId) {
    URI uri = URI.create(apiUrl + "/app/hook/deliveries/" + deliveryId + "/attempts");
    Answer answer = send("POST", uri, "redeliver app hook delivery");
    if (answer.status() != 202 && answer.status() != 200) {
      throw failure(answer, "redelivery of " + deliveryId);
    }
  }

  /** The next page's URL from a Link header, or null on the last page. */
  static String nextLink(String header) {
    Matcher m = NEXT.matcher(header);
    return m.find() ? m.group(1) : null;
  }

  /** A cursor is followed only on the API's own host: the JWT goes nowhere else. */
  private URI next(String cursor) {
    URI uri = URI.create(cursor);
    if (!cursor.startsWith(apiUrl + "/")) {
      throw new PermanentFailure("GitHub's next-page link leaves the API: " + uri.getHost());
    }
    return uri;
  }

  private Answer send(String method, URI uri, String what) {
    return governor.execute(GOVERNOR_KEY, method, method + " " + uri.getPath(), () -> {
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(TIMEOUT)
          .header("Accept", "application/vnd.github+json")
          .header("X-GitHub-Api-Version", "2022-11-28")
          .header("User-Agent", "spotrunner")
          .header("Authorization", "Bearer " + jwt.get().sign())
          .method(method, HttpRequest.BodyPublishers.noBody())
          .build();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers(), response.body());
    });
  }

  private static RuntimeException failure(Answer answer, String what) {
    String message = "GitHub answered " + answer.status() + " for " + what;
    if (answer.status() == 401) {
      return new PermanentFailure(message + ": check the app id, the private key and the clock");
    }
    boolean permanent = answer.status() >= 400 && answer.status() < 500
        && answer.status() != 408 && answer.status() != 429;
    return permanent ? new PermanentFailure(message) : new TransientFailure(message);
  }
}
