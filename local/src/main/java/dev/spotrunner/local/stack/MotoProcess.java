package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code moto_server} on a free loopback port, for the local stack and its tests. Missing moto is
 * an error that says how to install it, never a skip.
 *
 * <p>moto binds port 0 itself and the port is read from its start-up line: a port picked here and
 * handed over would be free only until moto binds it, and the integration tests run in two JVMs at
 * once (failsafe forks), each starting servers on loopback.
 */
public final class MotoProcess implements AutoCloseable {
  private static final Log log = Log.of(MotoProcess.class);

  /** The line Werkzeug (moto's server) logs once it listens, with the port it bound. */
  private static final Pattern LISTENING = Pattern.compile("Running on http://127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final Path logFile;
  private int port;

  private MotoProcess(Process process, Path logFile) {
    this.process = process;
    this.logFile = logFile;
  }

  public static MotoProcess start(Path logDirectory) throws IOException {
    Files.createDirectories(logDirectory);
    Path logFile = logDirectory.resolve("moto.log");
    ProcessBuilder builder = new ProcessBuilder(List.of("moto_server", "-H", "127.0.0.1", "-p", "0"))
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("moto_server not found on PATH; install it with: pip install 'moto[server]>=5'", e);
    }
    MotoProcess moto = new MotoProcess(process, logFile);
    moto.awaitReady(Duration.ofSeconds(60));
    log.info("moto started", entry("endpoint", moto.endpoint()));
    return moto;
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private void awaitReady(Duration limit) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("moto_server exited with " + process.exitValue() + "; see " + logFile);
      }
      if (port == 0) {
        Matcher listening = LISTENING.matcher(Files.readString(logFile, StandardCharsets.ISO_8859_1));
        if (listening.find()) {
          port = Integer.parseInt(listening.group(1));
        }
      }
      if (port != 0) {
        try {
          HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/"))
              .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
          if (response.statusCode() < 500) {
            return;
          }
        } catch (IOException e) {
          // not answering yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for moto", e);
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for moto", e);
      }
    }
    close();
    throw new IOException("moto_server did not answer within " + limit.toSeconds() + " s"
        + (port == 0 ? " (no \"Running on http://127.0.0.1:<port>\" line in " + logFile + ")" : ""));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
