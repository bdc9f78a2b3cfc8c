package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spotrunner.common.job.PoolDefinition;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/multi-pool's pools, as Terraform renders them for the webhook ({@code webhook_routing},
 * read with {@code terraform console} from the offline provider mirror), through the router: no
 * hand copy of the example, so a priority changed there is tested here.
 */
class MultiPoolExampleIT {
  private static final Path PLUGINS =
      Path.of(System.getenv().getOrDefault("TF_PLUGIN_DIR", "/opt/tf-plugins"));

  @TempDir
  static Path work;

  private static PoolRouter router;

  @BeforeAll
  static void renderTheExamplesPools() throws Exception {
    Path repo = repositoryRoot();
    // A copy beside a link to terraform/, so init writes nothing into the checkout.
    Files.createSymbolicLink(work.resolve("terraform"), repo.resolve("terraform"));
    Path example = Files.createDirectories(work.resolve("examples/multi-pool"));
    try (Stream<Path> files = Files.list(repo.resolve("examples/multi-pool"))) {
      for (Path tf : files.filter(p -> p.toString().endsWith(".tf")).toList()) {
        Files.copy(tf, example.resolve(tf.getFileName()));
      }
    }
    terraform(example, null, "init", "-input=false", "-plugin-dir=" + PLUGINS);
    String rendered = terraform(example, "jsonencode(module.spotrunner.webhook_routing)\n",
        "console", "-var", "vpc_id=vpc-0", "-var", "subnet_ids=[\"subnet-0\"]",
        "-var", "github_app_id=1", "-var", "github_app_key_base64=eA==",
        "-var", "webhook_secret=unused-by-this-test-but-32-characters-long");
    // console prints the JSON as an HCL string literal
    String json = Json.read(rendered.trim(), String.class);
    List<PoolDefinition> pools = new ArrayList<>();
    for (JsonNode pool : Json.read(json, JsonNode.class)) {
      List<String> labels = new ArrayList<>();
      pool.get("labels").forEach(label -> labels.add(label.asText()));
      pools.add(new PoolDefinition(pool.get("name").asText(), labels,
          PoolDefinition.Match.parse(pool.get("match").asText()), pool.get("priority").asInt(),
          "sqs://" + pool.get("name").asText(), null, pool.get("default").asBoolean()));
    }
    router = new PoolRouter(pools);
  }

  @Test
  void rendersBothPools() {
    assertThat(router.pools()).extracting(PoolDefinition::name).containsExactly("x64", "arm64");
  }

  @Test
  void sendsAJobOnlyAskingForLinuxToX64() {
    assertThat(pool("self-hosted", "linux")).contains("x64");
    assertThat(pool("self-hosted")).contains("x64");
    assertThat(pool("Self-Hosted", "Linux")).contains("x64");
  }

  @Test
  void sendsAJobAskingForArm64ToArm64() {
    assertThat(pool("self-hosted", "linux", "arm64")).contains("arm64");
    assertThat(pool("self-hosted", "arm64")).contains("arm64");
  }

  @Test
  void sendsAJobAskingForX64ToX64() {
    assertThat(pool("self-hosted", "linux", "x64")).contains("x64");
  }

  @Test
  void leavesGitHubHostedAndMixedLabelsAlone() {
    assertThat(pool("ubuntu-latest")).isEmpty();
    assertThat(pool("self-hosted", "x64", "arm64")).isEmpty();
  }

  @Test
  void takesLegacyCheckRunsToTheDefaultPool() {
    assertThat(router.defaultPool()).map(PoolDefinition::name).contains("x64");
  }

  private static Optional<String> pool(String... labels) {
    return router.route(List.of(labels)).map(PoolDefinition::name);
  }

  private static String terraform(Path dir, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("terraform"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().put("TF_CLI_CONFIG_FILE", "/dev/null");
    builder.environment().put("TF_IN_AUTOMATION", "1");
    builder.environment().put("CHECKPOINT_DISABLE", "1");
    builder.environment().put("TF_DATA_DIR", work.resolve(".terraform").toString());
    Process process = builder.start();
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("terraform %s finished", args[0]).isTrue();
    assertThat(process.exitValue()).as("terraform %s: %s", args[0], output).isZero();
    return output;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples/multi-pool"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("examples/multi-pool above the working directory").isNotNull();
    return dir;
  }
}
