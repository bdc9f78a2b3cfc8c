package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Applies a Terraform configuration (examples/local) against the emulated AWS. Inputs go in as
 * {@code TF_VAR_*} environment variables, so secrets never appear on a command line; state and
 * plugins live in the stack's work directory, never in the repository.
 */
public final class Terraform {
  private static final Log log = Log.of(Terraform.class);
  private static final Path PLUGIN_MIRROR = Path.of("/opt/tf-plugins");

  private final Path configuration;
  private final Path workDir;
  private final Map<String, String> environment;

  public Terraform(Path configuration, Path workDir, Map<String, String> environment) {
    this.configuration = configuration;
    this.workDir = workDir;
    this.environment = Map.copyOf(environment);
  }

  /** init + apply; returns the outputs ({@code terraform output -json}). */
  public JsonNode apply() throws IOException {
    Files.createDirectories(workDir);
    List<String> init = new ArrayList<>(List.of("terraform", "-chdir=" + configuration, "init", "-input=false", "-no-color"));
    if (Files.isDirectory(PLUGIN_MIRROR)) {
      init.add("-plugin-dir=" + PLUGIN_MIRROR);
    }
    initExclusively(init);
    run(List.of("terraform", "-chdir=" + configuration, "apply", "-auto-approve", "-input=false", "-no-color",
        "-state=" + workDir.resolve("terraform.tfstate")), "apply");
    String outputs = run(List.of("terraform", "-chdir=" + configuration, "output", "-json", "-no-color",
        "-state=" + workDir.resolve("terraform.tfstate")), "output");
    return Json.MAPPER.readTree(outputs);
  }

  /**
   * {@code terraform init} writes the dependency lock file ({@code .terraform.lock.hcl}) into the
   * configuration directory, which every stack shares (state, modules and providers live in each
   * stack's own work directory). The integration tests start stacks in two JVMs at once, so init
   * holds a file lock that every JVM sees; apply and output only read the lock file.
   */
  private void initExclusively(List<String> init) throws IOException {
    String name = "spotrunner-terraform-init-"
        + Integer.toHexString(configuration.toAbsolutePath().normalize().toString().hashCode()) + ".lock";
    Path lockFile = Path.of(System.getProperty("java.io.tmpdir")).resolve(name);
    synchronized (Terraform.class) {
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        run(init, "init");
      }
    }
  }

  /**
   * The applied state as {@code terraform show -json} gives it: every resource with the values
   * Terraform set. It holds the generated secrets, so it is never written to a log.
   */
  public JsonNode state() throws IOException {
    return Json.MAPPER.readTree(run(List.of("terraform", "-chdir=" + configuration, "show", "-json", "-no-color",
        workDir.resolve("terraform.tfstate").toString()), "show"));
  }

  private String run(List<String> command, String step) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    builder.environment().put("TF_CLI_CONFIG_FILE", "/dev/null");
    builder.environment().put("TF_DATA_DIR", workDir.resolve(".terraform").toString());
    builder.environment().put("TF_IN_AUTOMATION", "1");
    Path logFile = workDir.resolve("terraform-" + step + ".log");
    builder.redirectErrorStream(false).redirectError(logFile.toFile());
    long started = System.nanoTime();
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        Files.writeString(workDir.resolve("terraform-" + step + ".out"), out);
        throw new IOException("terraform " + step + " failed; see " + logFile + " and "
            + workDir.resolve("terraform-" + step + ".out"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted during terraform " + step, e);
    }
    if (!step.equals("output") && !step.equals("show")) {
      Files.writeString(workDir.resolve("terraform-" + step + ".out"), out);
    }
    log.info("terraform done", entry("step", step), entry("seconds", (System.nanoTime() - started) / 1_000_000_000L));
    return out;
  }
}
