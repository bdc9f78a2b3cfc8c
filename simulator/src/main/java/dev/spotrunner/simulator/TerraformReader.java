package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads what a Terraform configuration deploys, mechanically: it copies the configuration and the
 * modules it uses to a temporary directory, adds a {@code terraform test} file whose run block
 * applies the configuration with Terraform's mock AWS provider (no credentials, no network), and
 * reads the resulting resources from {@code terraform test -json -verbose}. A plan alone is not
 * enough: the AWS provider marks a whole environment map unknown when one value in it (a queue
 * URL) is, and a redrive policy's JSON with it; a mocked apply knows every value. Module defaults
 * are applied by Terraform itself. Required root variables without a value (VPC, secrets) get a
 * placeholder, listed as such; the user's {@code --var-file} takes precedence.
 *
 * <p>The result is cached under {@code ~/.cache/spotrunner/terraform}, keyed by a hash of every
 * copied file, the var file and the Terraform version.
 */
public final class TerraformReader {
  /** Bump when the extraction changes, so old cache entries are not reused. */
  private static final String FORMAT = "deployment-v1";
  private static final Pattern REQUIRED = Pattern.compile("required variable \"([^\"]+)\"");
  private static final Pattern MISSING_FILE =
      Pattern.compile("failed: open (.+?): no such file or directory");

  private final String terraform;
  private final Path pluginDir;
  private final Path cacheDir;

  public TerraformReader(String terraform, Path pluginDir, Path cacheDir) {
    this.terraform = terraform;
    this.pluginDir = pluginDir;
    this.cacheDir = cacheDir;
  }

  /** Terraform from PATH, providers from {@code $TF_PLUGIN_DIR} or /opt/tf-plugins, user cache. */
  public static TerraformReader standard() {
    String plugins = System.getenv().getOrDefault("TF_PLUGIN_DIR", "/opt/tf-plugins");
    String home = System.getenv().getOrDefault("XDG_CACHE_HOME",
        System.getProperty("user.home") + "/.cache");
    return new TerraformReader("terraform",
        Files.isDirectory(Path.of(plugins)) ? Path.of(plugins) : null,
        Path.of(home, "spotrunner", "terraform"));
  }

  /**
   * The result and what it took: whether it came from the cache, the placeholders used, the cache
   * file, and (on a fresh read only) Terraform's state of the mocked apply.
   */
  public record Result(Deployment deployment, boolean cached, List<String> placeholders,
      long millis, Path cacheFile, JsonNode state) {}

  public Result read(Path configuration, Path varFile) throws IOException, InterruptedException {
    long started = System.nanoTime();
    Path config = configuration.toAbsolutePath().normalize();
    if (!Files.isRegularFile(config.resolve("main.tf")) && listTf(config).isEmpty()) {
      throw new IllegalArgumentException(configuration + " holds no Terraform configuration");
    }
    Path root = repositoryRoot(config);
    Map<Path, Path> files = filesToCopy(root, config);
    String key = cacheKey(files, varFile);
    Path cached = cacheDir.resolve(key + ".json");
    if (Files.isRegularFile(cached)) {
      CacheEntry entry = Json.read(Files.readString(cached), CacheEntry.class);
      return new Result(entry.deployment(), true, entry.placeholders(),
          (System.nanoTime() - started) / 1_000_000, cached, null);
    }
    Path work = Files.createTempDirectory("spotrunner-tf-");
    try {
      for (Map.Entry<Path, Path> file : files.entrySet()) {
        Path target = work.resolve(file.getKey().toString());
        Files.createDirectories(target.getParent());
        Files.copy(file.getValue(), target);
      }
      Path copy = work.resolve(root.relativize(config).toString());
      Path tests = Files.createDirectories(copy.resolve("spotrunner-sim-tests"));
      Files.writeString(tests.resolve("extract.tftest.hcl"), TEST_FILE);
      List<String> init = new ArrayList<>(List.of(terraform, "init", "-backend=false", "-input=false",
          "-no-color"));
      if (pluginDir != null) {
        init.add("-plugin-dir=" + pluginDir);
      }
      Map<String, String> env = new TreeMap<>();
      env.put("TF_CLI_CONFIG_FILE", "/dev/null");
      env.put("TF_IN_AUTOMATION", "1");
      run(copy, init, env, "terraform init");
      List<String> placeholders = new ArrayList<>();
      Map<String, String> given = varFile == null ? Map.of() : assignments(Files.readString(varFile));
      for (String variable : requiredVariables(copy)) {
        if (!given.containsKey(variable)) {
          env.put("TF_VAR_" + variable, PLACEHOLDER);
          placeholders.add("variable " + variable);
        }
      }
      List<String> test = new ArrayList<>(List.of(terraform, "test", "-json", "-verbose",
          "-no-color", "-test-directory=spotrunner-sim-tests"));
      if (varFile != null) {
        Path vars = work.resolve("spotrunner-sim.tfvars");
        Files.copy(varFile.toAbsolutePath(), vars);
        test.add("-var-file=" + vars);
      }
      for (int round = 0; ; round++) {
        String output = run(copy, test, env, null);
        JsonNode state = null;
        List<String> errors = new ArrayList<>();
        boolean fixed = false;
        for (String line : output.split("\n")) {
          if (!line.startsWith("{")) {
            continue;
          }
          JsonNode message = Json.MAPPER.readTree(line);
          String type = message.path("type").asText();
          if (type.equals("test_state") && state == null) {
            state = message.path("test_state").path("root_module");
          } else if (type.equals("diagnostic")
              && "error".equals(message.path("diagnostic").path("severity").asText())) {
            String text = message.path("diagnostic").path("summary").asText() + ": "
                + message.path("diagnostic").path("detail").asText();
            Matcher required = REQUIRED.matcher(text);
            Matcher missing = MISSING_FILE.matcher(text);
            if (required.find() && !env.containsKey("TF_VAR_" + required.group(1))) {
              // A list holding one string converts to list(string) and, as a TF_VAR_ of a string
              // variable, is taken literally: a placeholder for both kinds.
              env.put("TF_VAR_" + required.group(1), PLACEHOLDER);
              placeholders.add("variable " + required.group(1));
              fixed = true;
            } else if (missing.find()) {
              Path file = copy.resolve(missing.group(1)).normalize();
              if (!file.startsWith(work)) {
                throw new IllegalStateException("terraform wants " + missing.group(1)
                    + " outside the copied configuration");
              }
              if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, "placeholder for a simulation\n");
                placeholders.add("file " + work.relativize(file));
                fixed = true;
              }
            } else {
              errors.add(text);
            }
          }
        }
        if (state != null && errors.isEmpty()) {
          Deployment deployment = Deployment.fromState(root.relativize(config).toString(), state);
          Files.createDirectories(cacheDir);
          Files.writeString(cached, Json.write(new CacheEntry(deployment, placeholders)));
          return new Result(deployment, false, placeholders,
              (System.nanoTime() - started) / 1_000_000, cached, state);
        }
        if (!fixed || round >= 4) {
          throw new IllegalStateException("terraform test of " + configuration + " failed:\n  "
              + String.join("\n  ", errors.isEmpty() ? List.of(tail(output)) : errors));
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  // long enough for any minimum length (the webhook secret wants 32 characters)
  private static final String PLACEHOLDER = "[\"spotrunner-simulation-placeholder-0123456789\"]";
  private static final Pattern VARIABLE = Pattern.compile("(?m)^variable\\s+\"([^\"]+)\"\\s*\\{");
  private static final Pattern ASSIGNMENT = Pattern.compile("(?m)^\\s*([A-Za-z_][A-Za-z0-9_-]*)\\s*=");
  private static final Pattern DEFAULT = Pattern.compile("(?m)^\\s*default\\s*=");

  /**
   * The root variables without a default, by a light reading of the .tf files (a guess that saves
   * a Terraform round; Terraform's own "No value for required variable" answer is the fallback).
   */
  static List<String> requiredVariables(Path config) throws IOException {
    List<String> required = new ArrayList<>();
    for (Path file : listTf(config)) {
      String text = Files.readString(file);
      Matcher m = VARIABLE.matcher(text);
      while (m.find()) {
        int depth = 0;
        int end = m.end() - 1;
        for (int i = end; i < text.length(); i++) {
          char c = text.charAt(i);
          depth += c == '{' ? 1 : c == '}' ? -1 : 0;
          if (depth == 0) {
            end = i;
            break;
          }
        }
        String body = text.substring(m.end(), end);
        // nested blocks (validation) cannot hold a default; a top-level default = line can
        if (!DEFAULT.matcher(body).find()) {
          required.add(m.group(1));
        }
      }
    }
    return required;
  }

  /** The names a .tfvars file assigns at the top level. */
  static Map<String, String> assignments(String tfvars) {
    Map<String, String> out = new TreeMap<>();
    Matcher m = ASSIGNMENT.matcher(tfvars);
    while (m.find()) {
      out.put(m.group(1), "");
    }
    return out;
  }

  record CacheEntry(Deployment deployment, List<String> placeholders) {}

  /** The test file: one run block that applies the configuration with a mocked AWS provider. */
  static final String TEST_FILE = """
      # Generated by the spotrunner simulator: a mocked apply, so every deployed value is known.
      mock_provider "aws" {
        mock_data "aws_partition" {
          defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
        }
        mock_data "aws_region" {
          defaults = { name = "eu-west-1" }
        }
        mock_data "aws_caller_identity" {
          defaults = { account_id = "123456789012" }
        }
        mock_resource "aws_iam_role" {
          defaults = { arn = "arn:aws:iam::123456789012:role/sim" }
        }
        mock_resource "aws_iam_instance_profile" {
          defaults = { arn = "arn:aws:iam::123456789012:instance-profile/sim" }
        }
        mock_resource "aws_cloudwatch_log_group" {
          defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:sim" }
        }
        # no url default: Terraform makes up one per queue, so a pool's queue and its DLQ differ
        mock_resource "aws_sqs_queue" {
          defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:sim" }
        }
        mock_resource "aws_lambda_function" {
          defaults = {
            arn           = "arn:aws:lambda:eu-west-1:123456789012:function:sim"
            qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:sim:1"
            invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:sim/invocations"
          }
        }
        mock_resource "aws_lambda_alias" {
          defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:sim:live" }
        }
        mock_resource "aws_cloudwatch_event_rule" {
          defaults = { arn = "arn:aws:events:eu-west-1:123456789012:rule/sim" }
        }
        mock_resource "aws_s3_bucket" {
          defaults = { arn = "arn:aws:s3:::sim" }
        }
        mock_resource "aws_apigatewayv2_api" {
          defaults = { execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:sim" }
        }
        mock_resource "aws_launch_template" {
          defaults = { arn = "arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-sim" }
        }
        mock_resource "aws_security_group" {
          defaults = { arn = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-sim" }
        }
        mock_resource "aws_sns_topic" {
          defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:sim" }
        }
      }

      run "deployed" {
        command = apply
      }
      """;

  // ---- helpers ----------------------------------------------------------------------------

  private String run(Path dir, List<String> command, Map<String, String> env, String failure)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + terraform
          + " (Terraform ≥ 1.7 is needed to read a configuration): " + e.getMessage(), e);
    }
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (failure != null && process.exitValue() != 0) {
      throw new IllegalStateException(failure + " failed:\n" + tail(text));
    }
    return text;
  }

  private static String tail(String text) {
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }

  /** The repository holding the configuration (where {@code .git} is), else its parent. */
  static Path repositoryRoot(Path config) {
    for (Path dir = config; dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(".git"))) {
        return dir;
      }
    }
    return config.getParent() == null ? config : config.getParent();
  }

  /**
   * The configuration's own files and every Terraform module directory of the repository (their
   * .tf files and templates), by path relative to the repository root. Local state, provider
   * caches and test directories stay behind.
   */
  static Map<Path, Path> filesToCopy(Path root, Path config) throws IOException {
    Map<Path, Path> files = new TreeMap<>();
    List<Path> moduleDirs;
    try (Stream<Path> walk = Files.walk(root)) {
      moduleDirs = walk.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".tf"))
          .filter(p -> !skipped(root, p))
          .map(Path::getParent).distinct().toList();
    }
    for (Path dir : moduleDirs) {
      if (!dir.startsWith(config) && !dir.equals(config) && !isModuleOf(root, dir, config)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(Files::isRegularFile).filter(p -> !skipped(root, p))
            .filter(p -> dir.equals(p.getParent()) || !hasTf(p.getParent()))
            .filter(p -> !p.getFileName().toString().endsWith(".tfstate")
                && !p.getFileName().toString().endsWith(".tfstate.backup")
                && !p.getFileName().toString().equals(".terraform.lock.hcl"))
            .forEach(p -> files.put(root.relativize(p), p));
      }
    }
    return files;
  }

  /** Module directories outside {@code examples}-like siblings: anything not another example. */
  private static boolean isModuleOf(Path root, Path dir, Path config) {
    Path parent = config.getParent();
    // other configurations next to this one (examples/ephemeral beside examples/default) are not
    // needed; everything else may be a module source.
    return parent == null || !dir.startsWith(parent) || parent.equals(root);
  }

  private static boolean hasTf(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.anyMatch(p -> p.getFileName().toString().endsWith(".tf"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean skipped(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      String name = part.toString();
      if (name.equals(".terraform") || name.equals(".git") || name.equals("target")
          || name.equals("node_modules") || name.equals("test") || name.equals("tests")) {
        return true;
      }
    }
    return false;
  }

  private static List<Path> listTf(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".tf")).toList();
    }
  }

  private String cacheKey(Map<Path, Path> files, Path varFile) throws IOException, InterruptedException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    digest.update(FORMAT.getBytes(StandardCharsets.UTF_8));
    digest.update(TEST_FILE.getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<Path, Path> file : files.entrySet()) {
      digest.update(file.getKey().toString().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(Files.readAllBytes(file.getValue()));
      digest.update((byte) 0);
    }
    if (varFile != null) {
      digest.update(Files.readAllBytes(varFile));
    }
    digest.update(run(Path.of("."), List.of(terraform, "version"), Map.of(), "terraform version")
        .lines().findFirst().orElse("").getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest.digest()).substring(0, 32);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The settings table as text: one line per setting with its source. */
  public static String describe(Result result) {
    StringBuilder out = new StringBuilder();
    Map<String, List<Deployment.Setting>> byPool = new LinkedHashMap<>();
    for (Deployment.Setting s : result.deployment().settings()) {
      byPool.computeIfAbsent(s.pool(), k -> new ArrayList<>()).add(s);
    }
    byPool.forEach((pool, settings) -> settings.forEach(s -> out.append(String.format(
        "  %-10s %-44s %-30s %s%n", pool, s.name(), abbreviate(s.value()), s.source()))));
    return out.toString();
  }

  private static String abbreviate(String value) {
    return value == null ? "null" : value.length() > 30 ? value.substring(0, 27) + "..." : value;
  }
}
