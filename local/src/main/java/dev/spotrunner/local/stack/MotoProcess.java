package dev.spotrunner.local.stack;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code moto_server} on a free loopback port, for the local stack and its tests. Missing moto is
 * an error that says how to install it, never a skip.
 */
public final class MotoProcess implements AutoCloseable {
  private static final Log log = Log.of(MotoProcess.class);

  private final Process process;
  private final int port;

  private MotoProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static MotoProcess start(Path logDirectory) throws IOException {
    Files.createDirectories(logDirectory);
    int port = freePort();
    ProcessBuilder builder = new ProcessBuilder(List.of("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port)))
        .redirectErrorStream(true)
        .redirectOutput(logDirectory.resolve("moto.log").toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IOException("moto_server not found on PATH; install it with: pip install 'moto[server]>=5'", e);
    }
    MotoProcess moto = new MotoProcess(process, port);
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
        throw new IOException("moto_server exited with " + process.exitValue());
      }
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint().resolve("/moto-api/"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() < 500) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for moto", e);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for moto", e);
      }
    }
    close();
    throw new IOException("moto_server did not answer within " + limit.toSeconds() + " s");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
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
