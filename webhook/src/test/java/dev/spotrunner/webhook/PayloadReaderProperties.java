package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The streaming {@link PayloadReader} answers every body exactly as the jackson-databind reader it
 * replaced: the same payload, or the same 400 reason. The databind reader lives on here, in the test,
 * as the reference.
 */
class PayloadReaderProperties {

  @Property(tries = 20_000)
  void readsEveryBodyAsTheDatabindReaderDid(@ForAll("bodies") String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String expected = Databind.outcome(bytes);

    String actual = outcome(bytes);

    Statistics.label("outcome").collect(expected.startsWith("payload GitHubPayload") ? "read"
        : expected.replaceAll("\\[[0-9]+]", "[#]"));
    assertThat(actual).as(body).isEqualTo(expected);
  }

  @Example
  void agreesOnEveryFixture() throws Exception {
    List<String> fixtures = FixturesTest.fixtures().toList();
    assertThat(fixtures).isNotEmpty();
    for (String name : fixtures) {
      byte[] bytes = TestWebhooks.fixture(name).getBytes(StandardCharsets.UTF_8);
      assertThat(outcome(bytes)).as(name).isEqualTo(Databind.outcome(bytes)).startsWith("payload ");
    }
  }

  @Example
  void namesTheInnermostKnownFieldOfAnError() {
    assertThat(outcome("{\"workflow_job\":{\"labels\":[\"a\",tru]}}"))
        .isEqualTo("payload field workflow_job.labels[1] has the wrong type or value");
    assertThat(outcome("{\"workflow_job\":{\"id\":tru}}"))
        .isEqualTo("payload field workflow_job has the wrong type or value");
    assertThat(outcome("{\"action\":tru}")).isEqualTo("malformed JSON");
    assertThat(outcome("{\"action\":1,\"action\":2}")).isEqualTo("malformed JSON");
    assertThat(outcome("{\"repository\":{\"owner\":{\"x\":1,\"x\":2}}}"))
        .isEqualTo("payload field repository.owner has the wrong type or value");
    assertThat(outcome("{\"workflow_job\":{\"id\":1.0}}"))
        .isEqualTo("payload field workflow_job.id has the wrong type or value");
    assertThat(outcome("")).isEqualTo("payload field (root) has the wrong type or value");
    assertThat(outcome("null")).isEqualTo("payload is not a JSON object");
  }

  @Example
  void coercesScalarsAsDatabindDid() {
    assertThat(outcome("{\"action\":5,\"workflow_job\":{\"id\":\" 12 \",\"run_id\":\"\"},"
        + "\"repository\":{\"private\":\"True\"}}")).isEqualTo(
        "payload " + new GitHubPayload("5",
            new GitHubPayload.WorkflowJob(12L, null, null, null, null, null, null, null, null),
            null, new GitHubPayload.Repository(null, true, null), null));
  }

  private static String outcome(String body) {
    return outcome(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String outcome(byte[] body) {
    try {
      return "payload " + PayloadReader.read(body);
    } catch (PayloadReader.MalformedPayload e) {
      return e.getMessage();
    }
  }

  private static final List<String> NAMES = List.of("action", "workflow_job", "check_run",
      "repository", "installation", "id", "run_id", "labels", "status", "conclusion", "created_at",
      "started_at", "completed_at", "full_name", "private", "owner", "login", "type", "steps", "x");

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> mutated = Combinators.combine(shaped("root", 3), Arbitraries.integers().between(0, 100),
        Arbitraries.of("", "", "", " ", " x", "{}", "]", "null", "[", "\"a\"", "\"a", ",")).as(
        (text, cut, tail) -> {
          // a fifth of the bodies are truncated somewhere
          String body = cut < 20 ? text.substring(0, text.length() * cut / 20) : text;
          return body + tail;
        });
    return Arbitraries.frequencyOf(
        Tuple.of(5, shaped("root", 3)),
        Tuple.of(3, mutated),
        Tuple.of(1, value(3)),
        Tuple.of(1, Arbitraries.strings().ofMaxLength(20)));
  }

  /** An object whose keys are mostly the ones its place in a payload has, values mostly fitting. */
  private Arbitrary<String> shaped(String kind, int depth) {
    List<String> keys = switch (kind) {
      case "root" -> List.of("action", "workflow_job", "check_run", "repository", "installation", "sender");
      case "workflow_job" -> List.of("id", "run_id", "labels", "status", "conclusion", "created_at",
          "started_at", "completed_at", "steps");
      case "check_run" -> List.of("id", "status", "name");
      case "repository" -> List.of("full_name", "private", "owner", "id");
      case "owner" -> List.of("login", "type", "id");
      default -> List.of("id", "x");
    };
    Arbitrary<String> member = Arbitraries.oneOf(Arbitraries.of(keys), Arbitraries.of(NAMES))
        .flatMap(name -> fitting(name, depth).map(value -> "\"" + name + "\":" + value));
    return member.list().ofMaxSize(7).map(members -> "{" + String.join(",", members) + "}");
  }

  private Arbitrary<String> fitting(String name, int depth) {
    Arbitrary<String> fit = switch (name) {
      case "workflow_job", "check_run", "repository", "installation", "owner" ->
          depth <= 0 ? Arbitraries.just("{}") : Arbitraries.lazy(() -> shaped(name, depth - 1));
      case "labels" -> Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of("\"self-hosted\"",
              "\"linux\"", "\"\"", "\"x64\"")), Tuple.of(1, scalar()), Tuple.of(1, value(1)))
          .list().ofMaxSize(5).map(values -> "[" + String.join(",", values) + "]");
      default -> scalar();
    };
    return Arbitraries.frequencyOf(Tuple.of(8, fit), Tuple.of(1, value(Math.max(0, depth - 1))));
  }

  private static Arbitrary<String> scalar() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of("null", "true", "false", "0", "-0", "1", "-1", "42", "1.0", "1e3",
            "-0.5", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "12345678901234567890123", "2147483648")),
        Tuple.of(1, Arbitraries.of("01", "tru", "NaN", "\"\\x\"")),
        Tuple.of(5, Arbitraries.of("", " ", "12", " 12 ", "\\t7\\n", "null", "NULL", "true", "True",
            "TRUE", "false", "False", "fALSE", "yes", "+5", "-", "١٢", "1.5", "1e2",
            "99999999999999999999", "queued", "acme/api", "Organization", "self-hosted",
            "2024-01-01T00:00:00Z", "\\u00e9\\ud83d\\ude00").map(s -> "\"" + s + "\"")),
        Tuple.of(2, Arbitraries.longs().map(Object::toString)));
  }

  private Arbitrary<String> value(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    Arbitrary<String> array = Arbitraries.lazy(() -> value(depth - 1)).list().ofMaxSize(4)
        .map(values -> "[" + String.join(",", values) + "]");
    Arbitrary<String> object = Combinators.combine(Arbitraries.of(NAMES),
            Arbitraries.lazy(() -> value(depth - 1)))
        .as((name, value) -> "\"" + name + "\":" + value)
        .list().ofMaxSize(5).map(members -> "{" + String.join(",", members) + "}");
    return Arbitraries.frequencyOf(Tuple.of(4, scalar()), Tuple.of(2, array), Tuple.of(3, object));
  }

  /** The databind reader the webhook used before: the reference the streaming reader must match. */
  static final class Databind {
    private static final ObjectReader PAYLOAD = Json.MAPPER.readerFor(Payload.class)
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .without(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    static String outcome(byte[] body) {
      Payload payload;
      try {
        payload = PAYLOAD.readValue(body);
      } catch (JsonMappingException e) {
        return "payload field " + path(e) + " has the wrong type or value";
      } catch (JacksonException e) {
        return "malformed JSON";
      } catch (IOException e) {
        return "unreadable body";
      }
      return payload == null ? "payload is not a JSON object" : "payload " + payload.convert();
    }

    private static String path(JsonMappingException e) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference reference : e.getPath()) {
        if (reference.getFieldName() != null) {
          path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
        } else if (reference.getIndex() >= 0) {
          path.append('[').append(reference.getIndex()).append(']');
        }
      }
      return path.isEmpty() ? "(root)" : path.toString();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Payload(String action, @JsonProperty("workflow_job") WorkflowJob workflowJob,
        @JsonProperty("check_run") CheckRun checkRun, Repository repository,
        Installation installation) {
      GitHubPayload convert() {
        return new GitHubPayload(action,
            workflowJob == null ? null : new GitHubPayload.WorkflowJob(workflowJob.id,
                workflowJob.runId, workflowJob.labels, workflowJob.status, workflowJob.conclusion,
                workflowJob.createdAt, workflowJob.startedAt, workflowJob.completedAt,
                workflowJob.runnerName),
            checkRun == null ? null : new GitHubPayload.CheckRun(checkRun.id, checkRun.status),
            repository == null ? null : new GitHubPayload.Repository(repository.fullName,
                repository.isPrivate, repository.owner == null ? null
                    : new GitHubPayload.Owner(repository.owner.login, repository.owner.type)),
            installation == null ? null : new GitHubPayload.Installation(installation.id));
      }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record WorkflowJob(Long id, @JsonProperty("run_id") Long runId, List<String> labels,
        String status, String conclusion, @JsonProperty("created_at") String createdAt,
        @JsonProperty("started_at") String startedAt,
        @JsonProperty("completed_at") String completedAt,
        @JsonProperty("runner_name") String runnerName) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record CheckRun(Long id, String status) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Repository(@JsonProperty("full_name") String fullName,
        @JsonProperty("private") Boolean isPrivate, Owner owner) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Owner(String login, String type) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Installation(Long id) {}
  }
}
