package dev.spotrunner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.spotrunner.common.fleet.Tags;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.log.Log;
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
 * The Terraform side of the settings contract (docs/architecture.md, invariant 7). For every Lambda the
 * Terraform module defines, the environment variable names it sets must EQUAL the names the Java
 * settings read ({@link LambdaVariable#namesFor}) plus the allowed extras: Terraform sets every
 * variable, a blank value for "unset" ({@link Env#raw} treats blank as unset), so a variable added on
 * either side without the other fails here. Handler strings must equal {@link
 * LambdaFunction#handler()}. That each handler class is in its jar is checked by {@code
 * terraform/test/run.sh} after the jars are built (this test runs in {@code common}, before them).
 *
 * <p>Every function is a call of {@code modules/function} ({@code module "NAME" { source =
 * "../function" ... }}): its variables are the ones that module sets for every function plus the
 * call's {@code environment}, a map, a {@code local.NAME} of the calling module or a {@code merge} of
 * those (scale-up and scale-down share the pool's variables that way).
 */
class TerraformContractTest {
  /** Read by the runtime or the logging setup, not by {@link Env}. */
  private static final Pattern ALLOWED_EXTRA =
      Pattern.compile("LOG_LEVEL|JAVA_TOOL_OPTIONS|POWERTOOLS_[A-Z0-9_]+");

  /** Where each function is defined: file under terraform/ and the name of its modules/function call. */
  private static final Map<LambdaFunction, String> RESOURCES = new EnumMap<>(Map.of(
      LambdaFunction.WEBHOOK, "modules/webhook/main.tf#function",
      LambdaFunction.SCALE_UP, "modules/runners/lambdas.tf#scale_up",
      LambdaFunction.SCALE_DOWN, "modules/runners/lambdas.tf#scale_down",
      LambdaFunction.BINARY_SYNCER, "modules/binary-syncer/main.tf#function",
      LambdaFunction.SWEEPER, "modules/sweeper/main.tf#function",
      LambdaFunction.INTERRUPTIONS, "modules/interruptions/main.tf#function"));

  /** The one aws_lambda_function: the module every function is a call of. */
  private static final String FUNCTION_MODULE = "modules/function/main.tf#this";

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
    List<String> resources = new ArrayList<>();
    List<String> calls = new ArrayList<>();
    for (Path file : terraformFiles()) {
      String where = TERRAFORM.relativize(file).toString().replace('\\', '/') + "#";
      String hcl = read(file);
      Matcher resource = Pattern.compile("resource\\s+\"aws_lambda_function\"\\s+\"([^\"]+)\"").matcher(hcl);
      while (resource.find()) {
        resources.add(where + resource.group(1));
      }
      Matcher call = FunctionDefinition.CALL.matcher(hcl);
      while (call.find()) {
        if (FunctionDefinition.callsFunctionModule(Hcl.block(hcl, call.end() - 1))) {
          calls.add(where + call.group(1));
        }
      }
    }
    assertEquals(List.of(FUNCTION_MODULE), resources);
    assertEquals(new TreeSet<>(RESOURCES.values()), new TreeSet<>(calls));
  }

  @Test
  void logLevelValidationAcceptsExactlyTheLevelsJavaLogsAt() {
    String variables = read(TERRAFORM.resolve("variables.tf"));
    Matcher variable = Pattern.compile("variable\\s+\"log_level\"\\s*\\{").matcher(variables);
    assertTrue(variable.find(), "variable log_level not found in terraform/variables.tf");
    Matcher accepted = Pattern.compile("contains\\(\\[([^\\]]*)\\],\\s*var\\.log_level\\)")
        .matcher(Hcl.block(variables, variable.end() - 1));
    assertTrue(accepted.find(), "log_level has no contains([...], var.log_level) validation");
    Set<String> terraform = new TreeSet<>();
    Matcher level = Pattern.compile("\"([^\"]+)\"").matcher(accepted.group(1));
    while (level.find()) {
      terraform.add(level.group(1));
    }
    Set<String> java = Stream.of(Log.Level.values()).map(Enum::name)
        .collect(Collectors.toCollection(TreeSet::new));
    // a level Java does not know (TRACE) would be accepted and silently logged at INFO
    assertEquals(java, terraform);
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
  void theParserReadsKeysOfNestedMapsMergesAndLocalsAndIgnoresOtherBlocks() {
    String function = """
        resource "aws_lambda_function" "this" {
          handler = var.handler
          dynamic "vpc_config" {
            for_each = []
            content { subnet_ids = [] }
          }
          environment {
            variables = merge({
              SHARED = var.prefix
            }, var.environment)
          }
          tags = { TAG = "x" }
        }
        """;
    String caller = """
        locals {
          common = {
            FROM_LOCAL = "x"
          }
        }

        module "demo" {
          source  = "../function"
          handler = "a.B::handleRequest"
          tags    = { NOT_ENV = "x" }

          environment = merge(local.common, {
            ONE   = jsonencode({ inner = { NOT_A_KEY = 1 } })
            TWO   = var.x ? "" : "${local.y}"
            three = "lower case is not an environment variable"
          })
        }
        """;
    FunctionDefinition demo = FunctionDefinition.parse(caller, "demo", function);
    assertEquals("a.B::handleRequest", demo.handler());
    assertEquals(Set.of("SHARED", "FROM_LOCAL", "ONE", "TWO"), demo.variables());
  }

  // --- parsing -------------------------------------------------------------------------------

  private static FunctionDefinition lambda(LambdaFunction function) {
    String[] where = RESOURCES.get(function).split("#");
    Path file = TERRAFORM.resolve(where[0]);
    StringBuilder module = new StringBuilder();
    try (Stream<Path> files = Files.list(file.getParent())) {
      files.filter(p -> p.toString().endsWith(".tf")).sorted().forEach(p -> module.append(read(p)).append('\n'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return FunctionDefinition.parse(module.toString(), where[1],
        read(TERRAFORM.resolve(FUNCTION_MODULE.split("#")[0])));
  }

  /**
   * A call of modules/function: its literal handler and the names of the variables the function
   * gets, those modules/function sets for every function and the call's own.
   */
  record FunctionDefinition(String handler, Set<String> variables) {
    static final Pattern CALL = Pattern.compile("module\\s+\"([^\"]+)\"\\s*\\{");

    static boolean callsFunctionModule(String body) {
      return Pattern.compile("(?m)^\\s*source\\s*=\\s*\"\\.\\./function\"").matcher(body).find();
    }

    /**
     * @param module every .tf file of the calling module (its locals are looked up there)
     * @param functionModule modules/function/main.tf
     */
    static FunctionDefinition parse(String module, String callName, String functionModule) {
      Matcher call = Pattern.compile("module\\s+\"" + Pattern.quote(callName) + "\"\\s*\\{").matcher(module);
      assertTrue(call.find(), "module." + callName + " not found");
      String body = Hcl.block(module, call.end() - 1);
      assertTrue(callsFunctionModule(body), "module." + callName + " is not a call of ../function");

      Matcher handler = Pattern.compile("(?m)^\\s*handler\\s*=\\s*\"([^\"]+)\"").matcher(body);
      assertTrue(handler.find(), callName + " has no literal handler string");
      String environment = Hcl.expression(body, "environment");
      assertNotNull(environment, callName + " has no environment");
      Set<String> own = Hcl.mapKeys(environment, module, Set.of());

      // modules/function: environment { variables = merge({...shared...}, var.environment) }
      Matcher resource = Pattern.compile("resource\\s+\"aws_lambda_function\"\\s+\"this\"\\s*\\{")
          .matcher(functionModule);
      assertTrue(resource.find(), "modules/function has no aws_lambda_function.this");
      String resourceBody = Hcl.block(functionModule, resource.end() - 1);
      Matcher block = Pattern.compile("(?m)^\\s*environment\\s*\\{").matcher(resourceBody);
      assertTrue(block.find(), "aws_lambda_function.this has no environment block");
      String variables = Hcl.expression(Hcl.block(resourceBody, block.end() - 1), "variables");
      assertNotNull(variables, "aws_lambda_function.this has no environment variables");
      Set<String> names = Hcl.mapKeys(variables, functionModule, own);
      assertFalse(names.isEmpty(), callName + " sets no variables");
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

    /**
     * The expression of attribute {@code name} at the start of a line of {@code body}: the rest of
     * that line, and the following lines while a bracket is open.
     */
    static String expression(String body, String name) {
      Matcher attribute = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s*=\\s*").matcher(body);
      if (!attribute.find()) {
        return null;
      }
      int depth = 0;
      for (int i = attribute.end(); i < body.length(); i++) {
        char c = body.charAt(i);
        depth += c == '{' || c == '[' || c == '(' ? 1 : c == '}' || c == ']' || c == ')' ? -1 : 0;
        if (depth == 0 && c == '\n') {
          return body.substring(attribute.end(), i).strip();
        }
      }
      return body.substring(attribute.end()).strip();
    }

    /**
     * The environment-variable keys of a map expression: a literal map, {@code merge(...)} of map
     * expressions, {@code local.NAME} (looked up in the {@code locals} blocks of {@code scope}) or
     * {@code var.environment} (the given keys).
     */
    static Set<String> mapKeys(String expression, String scope, Set<String> varEnvironment) {
      String expr = expression.strip();
      if (expr.startsWith("{")) {
        return keys(block(expr, 0), "[A-Z][A-Z0-9_]*");
      }
      if (expr.equals("var.environment")) {
        return varEnvironment;
      }
      Matcher local = Pattern.compile("local\\.([a-z_][a-z0-9_]*)").matcher(expr);
      if (local.matches()) {
        Matcher locals = Pattern.compile("(?m)^locals\\s*\\{").matcher(scope);
        while (locals.find()) {
          String value = expression(block(scope, locals.end() - 1), local.group(1));
          if (value != null) {
            return mapKeys(value, scope, varEnvironment);
          }
        }
        throw new AssertionError("local." + local.group(1) + " not found");
      }
      if (expr.startsWith("merge(") && expr.endsWith(")")) {
        Set<String> keys = new TreeSet<>();
        String arguments = expr.substring("merge(".length(), expr.length() - 1);
        int depth = 0;
        int from = 0;
        for (int i = 0; i <= arguments.length(); i++) {
          char c = i == arguments.length() ? ',' : arguments.charAt(i);
          depth += c == '{' || c == '[' || c == '(' ? 1 : c == '}' || c == ']' || c == ')' ? -1 : 0;
          if (depth == 0 && c == ',') {
            String argument = arguments.substring(from, i).strip();
            if (!argument.isEmpty()) {
              keys.addAll(mapKeys(argument, scope, varEnvironment));
            }
            from = i + 1;
          }
        }
        return keys;
      }
      throw new AssertionError("cannot read the keys of " + expr);
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
