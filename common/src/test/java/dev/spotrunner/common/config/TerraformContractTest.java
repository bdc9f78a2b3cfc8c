package dev.spotrunner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.PoolDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Terraform side of the settings contract (ARCHITECTURE invariant 7). For every Lambda the
 * Terraform module defines, the environment variable names it sets must EQUAL the names the Java
 * settings read ({@link LambdaVariable#namesFor}) plus the allowed extras: Terraform sets every
 * variable, a blank value for "unset" ({@link Env#raw} treats blank as unset), so a variable added on
 * either side without the other fails here. Handler strings must equal {@link
 * LambdaFunction#handler()}. That each handler class is in its jar is checked by {@code
 * terraform/test/run.sh} after the jars are built (this test runs in {@code common}, before them).
 */
class TerraformContractTest {
  /** Read by the runtime or the logging setup, not by {@link Env}. */
  private static final Pattern ALLOWED_EXTRA =
      Pattern.compile("LOG_LEVEL|JAVA_TOOL_OPTIONS|POWERTOOLS_[A-Z0-9_]+");

  /** Where each function is defined: file under terraform/ and resource name. */
  private static final Map<LambdaFunction, String> RESOURCES = new EnumMap<>(Map.of(
      LambdaFunction.WEBHOOK, "modules/webhook/main.tf#webhook",
      LambdaFunction.SCALE_UP, "modules/runners/lambdas.tf#scale_up",
      LambdaFunction.SCALE_DOWN, "modules/runners/lambdas.tf#scale_down",
      LambdaFunction.BINARY_SYNCER, "modules/binary-syncer/main.tf#syncer",
      LambdaFunction.SWEEPER, "modules/sweeper/main.tf#sweeper",
      LambdaFunction.INTERRUPTIONS, "modules/interruptions/main.tf#interruptions"));

  private static final Path TERRAFORM = repositoryRoot().resolve("terraform");

  @Test
  void everyFunctionSetsExactlyTheVariablesItsJavaSettingsRead() {
    List<String> problems = new ArrayList<>();
    for (LambdaFunction function : LambdaFunction.values()) {
      Set<String> set = lambda(function).variables();
      Set<String> extras = set.stream()
          .filter(name -> ALLOWED_EXTRA.matcher(name).matches())
          .collect(Collectors.toCollection(TreeSet::new));
      Set<String> contract = new TreeSet<>(set);
      contract.removeAll(extras);

      Set<String> missing = new TreeSet<>(LambdaVariable.namesFor(function));
      missing.removeAll(contract);
      Set<String> unknown = new TreeSet<>(contract);
      unknown.removeAll(LambdaVariable.namesFor(function));
      if (!missing.isEmpty() || !unknown.isEmpty()) {
        problems.add(function + " in " + RESOURCES.get(function) + ": Terraform does not set "
            + missing + " and sets variables Java does not read " + unknown);
      }
      if (!extras.contains("JAVA_TOOL_OPTIONS") || !extras.contains("LOG_LEVEL")) {
        problems.add(function + " must set LOG_LEVEL and JAVA_TOOL_OPTIONS, sets " + extras);
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyHandlerStringIsTheOneJavaDeclares() {
    for (LambdaFunction function : LambdaFunction.values()) {
      assertEquals(function.handler(), lambda(function).handler(), function + " handler");
    }
  }

  @Test
  void terraformDefinesNoLambdaOutsideTheContract() {
    List<String> found = new ArrayList<>();
    for (Path file : terraformFiles()) {
      Matcher m = Pattern.compile("resource\\s+\"aws_lambda_function\"\\s+\"([^\"]+)\"")
          .matcher(read(file));
      while (m.find()) {
        found.add(TERRAFORM.relativize(file).toString().replace('\\', '/') + "#" + m.group(1));
      }
    }
    assertEquals(new TreeSet<>(RESOURCES.values()), new TreeSet<>(found));
  }

  @Test
  void webhookPoolsJsonHasThePoolDefinitionFields() {
    String main = read(TERRAFORM.resolve("modules/webhook/main.tf"));
    int start = main.indexOf("pools_json = jsonencode([");
    assertTrue(start >= 0, "pools_json not found in modules/webhook/main.tf");
    String body = Hcl.block(main, main.indexOf('{', start));
    Set<String> keys = Hcl.keys(body, "[A-Za-z][A-Za-z0-9_]*");

    Set<String> fields = new TreeSet<>();
    for (RecordComponent component : PoolDefinition.class.getRecordComponents()) {
      // @JsonProperty does not target record components; Java copies it onto the accessor.
      JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
      fields.add(property == null ? component.getName() : property.value());
    }
    assertEquals(fields, keys);
  }

  @Test
  void everySpotrunnerTagTerraformUsesIsATagJavaKnows() throws IllegalAccessException {
    Set<String> known = new TreeSet<>();
    for (Field field : Tags.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        known.add((String) field.get(null));
      }
    }
    Set<String> used = new TreeSet<>();
    for (Path file : terraformFiles()) {
      Matcher m = Pattern.compile("spotrunner:[a-z-]+").matcher(read(file));
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertTrue(used.contains(Tags.ENVIRONMENT) && used.contains(Tags.POOL), "tags used: " + used);
    used.removeAll(known);
    assertTrue(used.isEmpty(), "Terraform uses tags Tags.java does not declare: " + used);
  }

  @Test
  void theParserReadsKeysOfNestedMapsAndIgnoresOtherBlocks() {
    String hcl = """
        resource "aws_lambda_function" "demo" {
          handler = "a.B::handleRequest"
          dynamic "vpc_config" {
            for_each = []
            content { subnet_ids = [] }
          }
          environment {
            variables = {
              ONE   = jsonencode({ inner = { NOT_A_KEY = 1 } })
              TWO   = var.x ? "" : "${local.y}"
              three = "lower case is not an environment variable"
            }
          }
          tags = { TAG = "x" }
        }
        """;
    FunctionDefinition demo = FunctionDefinition.parse(hcl, "demo");
    assertEquals("a.B::handleRequest", demo.handler());
    assertEquals(Set.of("ONE", "TWO"), demo.variables());
  }

  // --- parsing -------------------------------------------------------------------------------

  private static FunctionDefinition lambda(LambdaFunction function) {
    String[] where = RESOURCES.get(function).split("#");
    return FunctionDefinition.parse(read(TERRAFORM.resolve(where[0])), where[1]);
  }

  record FunctionDefinition(String handler, Set<String> variables) {
    static FunctionDefinition parse(String hcl, String resourceName) {
      Matcher resource = Pattern.compile(
          "resource\\s+\"aws_lambda_function\"\\s+\"" + Pattern.quote(resourceName) + "\"\\s*\\{")
          .matcher(hcl);
      assertTrue(resource.find(), "aws_lambda_function." + resourceName + " not found");
      String body = Hcl.block(hcl, resource.end() - 1);

      Matcher handler = Pattern.compile("(?m)^\\s*handler\\s*=\\s*\"([^\"]+)\"").matcher(body);
      assertTrue(handler.find(), resourceName + " has no literal handler string");

      Matcher environment = Pattern.compile("(?m)^\\s*environment\\s*\\{").matcher(body);
      assertTrue(environment.find(), resourceName + " has no environment block");
      String envBlock = Hcl.block(body, environment.end() - 1);
      Matcher variables = Pattern.compile("variables\\s*=\\s*\\{").matcher(envBlock);
      assertTrue(variables.find(), resourceName + " has no environment variables map");
      Set<String> names = Hcl.keys(Hcl.block(envBlock, variables.end() - 1), "[A-Z][A-Z0-9_]*");
      assertFalse(names.isEmpty(), resourceName + " sets no variables");
      return new FunctionDefinition(handler.group(1), names);
    }
  }

  /** Just enough HCL: balanced blocks and the top-level keys of a map. */
  static final class Hcl {
    private Hcl() {}

    /** The text between the brace at {@code open} and its matching brace. */
    static String block(String text, int open) {
      assertEquals('{', text.charAt(open));
      int depth = 0;
      for (int i = open; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '{') {
          depth++;
        } else if (c == '}' && --depth == 0) {
          return text.substring(open + 1, i);
        }
      }
      throw new AssertionError("unbalanced braces after offset " + open);
    }

    /** Keys at depth 0 of a map body, written as {@code KEY = value} at the start of a line. */
    static Set<String> keys(String mapBody, String keyPattern) {
      Set<String> keys = new TreeSet<>();
      Pattern key = Pattern.compile("^\\s*(" + keyPattern + ")\\s*=");
      int depth = 0;
      for (String line : mapBody.split("\n")) {
        if (depth == 0) {
          Matcher m = key.matcher(line);
          if (m.find()) {
            keys.add(m.group(1));
          }
        }
        for (char c : line.toCharArray()) {
          depth += c == '{' || c == '[' || c == '(' ? 1 : c == '}' || c == ']' || c == ')' ? -1 : 0;
        }
      }
      return keys;
    }
  }

  private static List<Path> terraformFiles() {
    try (Stream<Path> files = Files.walk(TERRAFORM)) {
      return files
          .filter(p -> p.toString().endsWith(".tf"))
          .filter(p -> !p.toString().contains(".terraform"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("terraform/modules"))) {
      dir = dir.getParent();
    }
    assertNotNull(dir, "terraform/modules not found above " + Path.of("").toAbsolutePath());
    return dir;
  }
}
