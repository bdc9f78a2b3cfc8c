package dev.spotrunner.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.spotrunner.common.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolDefinition#parseList} accepts and refuses what the databind mapper did, with the same
 * pools; the mapper stays here as the reference.
 */
class PoolDefinitionTest {
  private static final String BASE = "{\"name\":\"a\",\"labels\":[\"x\"],\"queueUrl\":\"q\"";

  /** Pools the mapper read; each must read the same. */
  private static final List<String> ACCEPTED = List.of(
      "[]", "[] trailing ignored", "[" + BASE + "}]",
      "[" + BASE + ",\"match\":\"exact\",\"priority\":3,\"delaySeconds\":0,\"default\":true}]",
      "[" + BASE + ",\"match\":\" Exact \"}]", "[" + BASE + ",\"match\":null}]",
      "[" + BASE + ",\"priority\":1.9}]", "[" + BASE + ",\"priority\":-0.5}]",
      "[" + BASE + ",\"priority\":\"5\"}]", "[" + BASE + ",\"priority\":\" 4 \"}]",
      "[" + BASE + ",\"priority\":\"\"}]", "[" + BASE + ",\"priority\":\"null\"}]",
      "[" + BASE + ",\"priority\":null}]", "[" + BASE + ",\"priority\":\"+3\"}]",
      "[" + BASE + ",\"priority\":1.0e2}]", "[" + BASE + ",\"delaySeconds\":1.9}]",
      "[" + BASE + ",\"delaySeconds\":\"\"}]", "[" + BASE + ",\"delaySeconds\":\"7\"}]",
      "[" + BASE + ",\"delaySeconds\":null}]", "[" + BASE + ",\"default\":1}]",
      "[" + BASE + ",\"default\":0}]", "[" + BASE + ",\"default\":\"True\"}]",
      "[" + BASE + ",\"default\":\"\"}]", "[" + BASE + ",\"x\":{\"y\":[1,2]}}]",
      "[" + BASE + ",\"name\":\"b\",\"name\":\"c\"}]", "[" + BASE + ",\"labels\":[1,true,1.5]}]",
      "[" + BASE + ",\"queueUrl\":5}]",
      "[" + BASE + ",\"priority\":2}," + BASE.replace("\"a\"", "\"b\"") + ",\"match\":\"subset\"}]");

  /** Lists the mapper refused; each must still be refused. */
  private static final List<String> REFUSED = List.of(
      "", "x", "{}", "[5]", "[\"\"]", "[\"x\"]", "[[]]", "[{\"name\":\"a\"}]",
      "[" + BASE + ",\"match\":\"fuzzy\"}]", "[" + BASE + ",\"match\":\"\"}]",
      "[" + BASE + ",\"match\":5}]", "[" + BASE + ",\"match\":[]}]", "[" + BASE + ",\"match\":{}}]",
      "[" + BASE + ",\"priority\":1e10}]", "[" + BASE + ",\"priority\":true}]",
      "[" + BASE + ",\"priority\":\"1.5\"}]", "[" + BASE + ",\"priority\":3000000000}]",
      "[" + BASE + ",\"priority\":[]}]", "[" + BASE + ",\"priority\":\"1e2\"}]",
      "[" + BASE + ",\"priority\":1e400}]", "[" + BASE + ",\"priority\":2147483648.5}]",
      "[" + BASE + ",\"priority\":NaN}]", "[" + BASE + ",\"default\":2.0}]",
      "[" + BASE + ",\"default\":\"yes\"}]", "[" + BASE + ",\"name\":null}]",
      "[" + BASE + ",\"name\":{}}]", "[" + BASE + ",\"labels\":[\"y\",null]}]",
      "[" + BASE + ",\"labels\":\"x\"}]", "[" + BASE + ",\"labels\":[]}]",
      "[" + BASE + ",\"delaySeconds\":901}]", "[" + BASE + ",\"delaySeconds\":-1}]",
      "[" + BASE + "},", "[{\"name\":\"a\",", "[" + BASE + "} {");

  private static List<PoolDefinition> databind(String json) throws JsonProcessingException {
    return Json.MAPPER.readValue(json, new TypeReference<List<PoolDefinition>>() {});
  }

  @Test
  void readsThePoolsTheMapperRead() throws JsonProcessingException {
    for (String json : ACCEPTED) {
      assertEquals(databind(json), PoolDefinition.parseList(json), json);
    }
  }

  @Test
  void refusesWhatTheMapperRefused() {
    for (String json : REFUSED) {
      assertThrows(JsonProcessingException.class, () -> databind(json), json);
      assertThrows(IllegalArgumentException.class, () -> PoolDefinition.parseList(json), json);
    }
  }

  @Test
  void refusesNullsAsTheRouterDid() throws JsonProcessingException {
    for (String json : List.of("null", "[null]", "[" + BASE + "},null]")) {
      List<PoolDefinition> read = databind(json);
      assertTrue(read == null || read.contains(null), json);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> PoolDefinition.parseList(json), json);
      assertEquals("expected a JSON list of pools", e.getMessage());
    }
  }

  @Test
  void saysWhichPoolAndFieldIsWrong() {
    assertEquals("pool 'a' needs a queueUrl", message("[{\"name\":\"a\",\"labels\":[\"x\"]}]"));
    assertEquals("pool 'a' delaySeconds must be 0-900, got 901",
        message("[" + BASE + ",\"delaySeconds\":901}]"));
    assertEquals("pools[1].priority has the wrong type or value",
        message("[" + BASE + "}," + BASE + ",\"priority\":true}]"));
    assertEquals("pools[0].match must be subset or exact, got 'fuzzy'",
        message("[" + BASE + ",\"match\":\"fuzzy\"}]"));
    assertEquals("pool 'a' has a null label", message("[" + BASE + ",\"labels\":[null]}]"));
  }

  private static String message(String json) {
    return assertThrows(IllegalArgumentException.class, () -> PoolDefinition.parseList(json)).getMessage();
  }
}
