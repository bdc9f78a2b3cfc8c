package dev.spotrunner.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook's request path loads no class of jackson-databind or jackson-datatype (together a
 * quarter of a cold start): a fresh JVM with {@code -verbose:class} runs {@link LightPathMain} —
 * settings, wiring and a request of every kind — and its class-loading log is read.
 */
class LightPathTest {

  @Test
  void theWholeRequestPathLoadsNoDatabindClass(@TempDir Path dir) throws Exception {
    List<String> lines = runInAFreshJvm(dir);

    assertThat(lines).anyMatch(line -> line.startsWith(LightPathMain.DONE
        // queued 202, in_progress 202, completed 202, no pool 202, waiting ignored 202, legacy
        // check_run 202, ping 200, other event 202, malformed 400, mistyped 400, not allowed 403,
        // public 403, forged 401
        + " statuses=[202, 202, 202, 202, 202, 202, 200, 202, 400, 400, 403, 403, 401]"
        // queued: two jobs and the job start; primed: a queued job and a job start per round
        + " queued=3 metrics=2 primed=" + 2 * Priming.ROUNDS));
    List<String> loaded = lines.stream().filter(line -> line.contains("[class,load] ")).toList();
    // the log is read right: the streaming parser and the webhook itself are in it
    assertThat(loaded).anyMatch(line -> line.contains(" com.fasterxml.jackson.core.JsonFactory "));
    assertThat(loaded).anyMatch(line -> line.contains(" dev.spotrunner.webhook.PayloadReader "));
    assertThat(loaded).noneMatch(line -> line.contains(" com.fasterxml.jackson.databind."));
    assertThat(loaded).noneMatch(line -> line.contains(" com.fasterxml.jackson.datatype."));
  }

  private static List<String> runInAFreshJvm(Path dir) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path out = dir.resolve("stdout.txt");
    Process process = new ProcessBuilder(java.toString(), "-Xshare:auto", "-verbose:class",
        "-cp", System.getProperty("java.class.path"), LightPathMain.class.getName())
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the child JVM did not finish in 120 s");
    }
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join("\n", lines.subList(
        Math.max(0, lines.size() - 40), lines.size()))).isZero();
    return lines;
  }
}
