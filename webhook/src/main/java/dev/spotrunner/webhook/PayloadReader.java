package dev.spotrunner.webhook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@link GitHubPayload} with jackson-core's streaming parser only: jackson-databind costs a
 * cold start ~450 classes and reflection over the records. Only the payload's few fields are read,
 * everything else is skipped.
 *
 * <p>It answers exactly as the databind reader it replaces did (a property test compares both): a
 * syntax error outside the known fields (duplicate keys included) is "malformed JSON"; a wrong type
 * or value — or a syntax error inside a known object's value — names the innermost known field, as
 * {@code workflow_job.labels[2]}; scalars are coerced the way databind coerces them by default
 * ({@code "12"} is a job id, {@code 5} is an action, {@code "True"} is private) but a float is never an
 * integer.
 */
final class PayloadReader {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  /** The payload is not JSON, or not one we can read: the message is the 400's reason. */
  static final class MalformedPayload extends RuntimeException {
    MalformedPayload(String message) {
      super(message, null, false, false);
    }
  }

  /** A wrong type or value at a path; passes unchanged through the outer fields' handlers. */
  private static final class WrongType extends RuntimeException {
    WrongType(String path) {
      super(path, null, false, false);
    }
  }

  @FunctionalInterface
  private interface Value<T> {
    T read(JsonParser p, String path) throws IOException;
  }

  private PayloadReader() {}

  /** The payload; throws {@link MalformedPayload} with the reason when it cannot be read. */
  static GitHubPayload read(byte[] body) {
    try (JsonParser p = FACTORY.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.VALUE_NULL) {
        rejectTrailingTokens(p);
        throw new MalformedPayload("payload is not a JSON object");
      }
      if (first != JsonToken.START_OBJECT) {
        if (first == JsonToken.VALUE_STRING) {
          p.getText(); // strings are read lazily: an unterminated one is malformed JSON
        }
        // no content at all, or a scalar or an array where the object belongs
        throw new WrongType("");
      }
      GitHubPayload payload = root(p);
      rejectTrailingTokens(p);
      return payload;
    } catch (WrongType e) {
      String path = e.getMessage();
      throw new MalformedPayload(
          "payload field " + (path.isEmpty() ? "(root)" : path) + " has the wrong type or value");
    } catch (JacksonException e) {
      throw new MalformedPayload("malformed JSON");
    } catch (IOException e) {
      throw new MalformedPayload("unreadable body");
    }
  }

  private static void rejectTrailingTokens(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new WrongType("");
    }
  }

  private static GitHubPayload root(JsonParser p) throws IOException {
    String action = null;
    GitHubPayload.WorkflowJob workflowJob = null;
    GitHubPayload.CheckRun checkRun = null;
    GitHubPayload.Repository repository = null;
    GitHubPayload.Installation installation = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "action" -> action = field(p, "action", PayloadReader::text);
        case "workflow_job" -> workflowJob = field(p, "workflow_job", PayloadReader::workflowJob);
        case "check_run" -> checkRun = field(p, "check_run", PayloadReader::checkRun);
        case "repository" -> repository = field(p, "repository", PayloadReader::repository);
        case "installation" -> installation = field(p, "installation", PayloadReader::installation);
        default -> p.skipChildren();
      }
    }
    return new GitHubPayload(action, workflowJob, checkRun, repository, installation);
  }

  private static GitHubPayload.WorkflowJob workflowJob(JsonParser p, String path) throws IOException {
    if (!startObject(p, path)) {
      return null;
    }
    Long id = null;
    Long runId = null;
    List<String> labels = null;
    String status = null;
    String conclusion = null;
    String createdAt = null;
    String startedAt = null;
    String completedAt = null;
    String runnerName = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "id" -> id = field(p, path + ".id", PayloadReader::integer);
        case "run_id" -> runId = field(p, path + ".run_id", PayloadReader::integer);
        case "labels" -> labels = field(p, path + ".labels", PayloadReader::textList);
        case "status" -> status = field(p, path + ".status", PayloadReader::text);
        case "conclusion" -> conclusion = field(p, path + ".conclusion", PayloadReader::text);
        case "created_at" -> createdAt = field(p, path + ".created_at", PayloadReader::text);
        case "started_at" -> startedAt = field(p, path + ".started_at", PayloadReader::text);
        case "completed_at" -> completedAt = field(p, path + ".completed_at", PayloadReader::text);
        case "runner_name" -> runnerName = field(p, path + ".runner_name", PayloadReader::text);
        default -> p.skipChildren();
      }
    }
    return new GitHubPayload.WorkflowJob(
        id, runId, labels, status, conclusion, createdAt, startedAt, completedAt, runnerName);
  }

  private static GitHubPayload.CheckRun checkRun(JsonParser p, String path) throws IOException {
    if (!startObject(p, path)) {
      return null;
    }
    Long id = null;
    String status = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "id" -> id = field(p, path + ".id", PayloadReader::integer);
        case "status" -> status = field(p, path + ".status", PayloadReader::text);
        default -> p.skipChildren();
      }
    }
    return new GitHubPayload.CheckRun(id, status);
  }

  private static GitHubPayload.Repository repository(JsonParser p, String path) throws IOException {
    if (!startObject(p, path)) {
      return null;
    }
    String fullName = null;
    Boolean isPrivate = null;
    GitHubPayload.Owner owner = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "full_name" -> fullName = field(p, path + ".full_name", PayloadReader::text);
        case "private" -> isPrivate = field(p, path + ".private", PayloadReader::bool);
        case "owner" -> owner = field(p, path + ".owner", PayloadReader::owner);
        default -> p.skipChildren();
      }
    }
    return new GitHubPayload.Repository(fullName, isPrivate, owner);
  }

  private static GitHubPayload.Owner owner(JsonParser p, String path) throws IOException {
    if (!startObject(p, path)) {
      return null;
    }
    String login = null;
    String type = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "login" -> login = field(p, path + ".login", PayloadReader::text);
        case "type" -> type = field(p, path + ".type", PayloadReader::text);
        default -> p.skipChildren();
      }
    }
    return new GitHubPayload.Owner(login, type);
  }

  private static GitHubPayload.Installation installation(JsonParser p, String path)
      throws IOException {
    if (!startObject(p, path)) {
      return null;
    }
    Long id = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      if (name.equals("id")) {
        id = field(p, path + ".id", PayloadReader::integer);
      } else {
        p.skipChildren();
      }
    }
    return new GitHubPayload.Installation(id);
  }

  /**
   * Reads one known field's value. A syntax error anywhere inside it is charged to this field, as
   * databind did; a wrong type deeper down keeps its own, longer path.
   */
  private static <T> T field(JsonParser p, String path, Value<T> value) throws IOException {
    try {
      return value.read(p, path);
    } catch (JacksonException e) {
      throw new WrongType(path);
    }
  }

  /** True at the start of an object, false for null; anything else is the wrong type. */
  private static boolean startObject(JsonParser p, String path) {
    return switch (p.currentToken()) {
      case START_OBJECT -> true;
      case VALUE_NULL -> false;
      default -> throw new WrongType(path);
    };
  }

  /** A string; a number or boolean as its JSON text. */
  private static String text(JsonParser p, String path) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
      case VALUE_NULL -> null;
      default -> throw new WrongType(path);
    };
  }

  /** An integer, or a string holding one; empty, blank and "null" strings are null; never a float. */
  private static Long integer(JsonParser p, String path) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_NUMBER_INT -> p.getLongValue();
      case VALUE_NULL -> null;
      case VALUE_STRING -> {
        String text = p.getText().trim();
        if (text.isEmpty() || text.equals("null")) {
          yield null;
        }
        try {
          yield Long.parseLong(text);
        } catch (NumberFormatException e) {
          throw new WrongType(path);
        }
      }
      default -> throw new WrongType(path);
    };
  }

  /** true/false; a non-zero integer is true; "true", "True", "TRUE" (and false alike) as text. */
  private static Boolean bool(JsonParser p, String path) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case VALUE_NUMBER_INT -> !(p.getText().equals("0") || p.getText().equals("-0"));
      case VALUE_STRING -> {
        String text = p.getText().trim();
        yield switch (text) {
          case "", "null" -> null;
          case "true", "True", "TRUE" -> Boolean.TRUE;
          case "false", "False", "FALSE" -> Boolean.FALSE;
          default -> throw new WrongType(path);
        };
      }
      default -> throw new WrongType(path);
    };
  }

  /** A list of {@link #text} values (null elements kept); a syntax error names the element's index. */
  private static List<String> textList(JsonParser p, String path) throws IOException {
    switch (p.currentToken()) {
      case START_ARRAY -> { }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new WrongType(path);
    }
    List<String> list = new ArrayList<>();
    while (true) {
      String element = path + "[" + list.size() + "]";
      JsonToken token;
      try {
        token = p.nextToken();
      } catch (JacksonException e) {
        throw new WrongType(element);
      }
      if (token == JsonToken.END_ARRAY) {
        return list;
      }
      list.add(field(p, element, PayloadReader::text));
    }
  }
}
