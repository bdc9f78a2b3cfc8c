package dev.spotrunner.testkit.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code moto_server} process on a free loopback port. Usable outside JUnit: the local stack
 * starts one with {@link #start()} and stops it with {@link #close()} (a shutdown hook stops it
 * too, should the JVM exit first).
 *
 * <p>The command is {@code moto_server} when it is on the PATH, else {@code python3 -m moto.server};
 * {@code SPOTRUNNER_MOTO_COMMAND} overrides both (a full command line, whitespace-separated).
 */
public final class MotoServer implements AwsEmulator {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final URI endpoint;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();
  private final Thread shutdownHook;

  private MotoServer(Process process, URI endpoint, Path log) {
    this.process = process;
    this.endpoint = endpoint;
    this.log = log;
    this.shutdownHook = new Thread(this::stopProcess, "moto-server-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The command that starts moto here, or empty when moto is not installed. */
  public static Optional<List<String>> command() {
    String override = System.getenv("SPOTRUNNER_MOTO_COMMAND");
    if (override != null && !override.isBlank()) {
      return Optional.of(List.of(override.trim().split("\\s+")));
    }
    Optional<Path> onPath = which("moto_server");
    if (onPath.isPresent()) {
      return Optional.of(List.of(onPath.get().toString()));
    }
    if (succeeds(List.of("python3", "-c", "import moto.server"))) {
      return Optional.of(List.of("python3", "-m", "moto.server"));
    }
    return Optional.empty();
  }

  /** Starts moto on a free loopback port and waits until it answers. */
  public static MotoServer start() {
    List<String> base = command().orElseThrow(() -> new IllegalStateException(
        "moto_server is not installed: pip install 'moto[server]>=5' (or set SPOTRUNNER_MOTO_COMMAND)"));
    // Another process may take the port between probe and bind; one retry on a new port covers it.
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return startOn(base, freePort());
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  private static MotoServer startOn(List<String> base, int port) {
    List<String> command = new ArrayList<>(base);
    command.addAll(List.of("-H", "127.0.0.1", "-p", Integer.toString(port)));
    Path log;
    Process process;
    try {
      log = Files.createTempFile("moto-server-" + port + "-", ".log");
      log.toFile().deleteOnExit();
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile());
      // No real credentials ever reach the emulator's environment.
      builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
      builder.environment().put("MOTO_ALLOW_NONEXISTENT_REGION", "true");
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
    server.awaitReady();
    return server;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        close();
        throw new IllegalStateException("moto_server exited with " + process.exitValue() + ": " + logTail());
      }
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json"))
                .timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while waiting for moto_server", e);
      }
      sleep(100);
    }
    close();
    throw new IllegalStateException("moto_server did not answer within " + START_TIMEOUT + ": " + logTail());
  }

  @Override
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public String name() {
    return "moto_server " + endpoint;
  }

  @Override
  public void reset() {
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("moto reset answered " + response.statusCode());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("moto reset failed: " + logTail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during moto reset", e);
    }
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** The last lines moto wrote, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no moto log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook does the work
    }
    stopProcess();
  }

  private void stopProcess() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static Optional<Path> which(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static boolean succeeds(List<String> command) {
    try {
      Process probe = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return probe.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
