package dev.spotrunner.local;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code --open}: the live dashboard in the desktop's browser, through {@code xdg-open} when it is on
 * the {@code PATH} and a display is set, else {@code java.awt.Desktop} when it can browse; when neither
 * can, it says so and prints the URL to open by hand. It never fails the demo.
 */
public final class Browser {
  /** How long {@code xdg-open} may take to hand the URL over (it returns once the browser has it). */
  static final Duration XDG_OPEN_LIMIT = Duration.ofSeconds(10);

  /** The desktop's own way to browse ({@code java.awt.Desktop}); a port so tests need no display. */
  interface Desktop {
    boolean canBrowse();

    void browse(URI url) throws IOException;
  }

  /** What happened: {@code how} names the way the page was opened, or why it was not. */
  public record Outcome(boolean opened, String how) {}

  private final Map<String, String> environment;
  private final Desktop desktop;

  Browser(Map<String, String> environment, Desktop desktop) {
    this.environment = Map.copyOf(environment);
    this.desktop = desktop;
  }

  /** The browser of the desktop this process runs on. */
  public static Browser ofThisDesktop() {
    return new Browser(System.getenv(), new AwtDesktop());
  }

  /** Opens the URL and prints what happened. */
  public Outcome open(URI url, PrintStream out) {
    Outcome outcome = tryOpen(url);
    if (outcome.opened()) {
      out.println("opened " + url + " in the browser (" + outcome.how() + ")");
    } else {
      out.println("cannot open a browser here (" + outcome.how() + "); open " + url + " yourself");
    }
    return outcome;
  }

  Outcome tryOpen(URI url) {
    String xdgWhy;
    Optional<Path> xdgOpen = onPath("xdg-open");
    if (xdgOpen.isEmpty()) {
      xdgWhy = "no xdg-open on PATH";
    } else if (!hasDisplay()) {
      // Without a display xdg-open falls back to a text browser on this terminal, or fails.
      xdgWhy = "no DISPLAY or WAYLAND_DISPLAY";
    } else {
      xdgWhy = run(xdgOpen.get(), url);
      if (xdgWhy == null) {
        return new Outcome(true, "xdg-open");
      }
    }
    String desktopWhy;
    try {
      if (desktop.canBrowse()) {
        desktop.browse(url);
        return new Outcome(true, "java.awt.Desktop");
      }
      desktopWhy = "java.awt.Desktop cannot browse";
    } catch (IOException | RuntimeException e) {
      desktopWhy = "java.awt.Desktop failed: " + e.getMessage();
    }
    return new Outcome(false, xdgWhy + ", " + desktopWhy);
  }

  private boolean hasDisplay() {
    return !environment.getOrDefault("DISPLAY", "").isBlank()
        || !environment.getOrDefault("WAYLAND_DISPLAY", "").isBlank();
  }

  private Optional<Path> onPath(String program) {
    for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Runs xdg-open; null when it handed the URL over, else why not. */
  private String run(Path xdgOpen, URI url) {
    try {
      ProcessBuilder builder = new ProcessBuilder(xdgOpen.toString(), url.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().clear();
      builder.environment().putAll(environment);
      Process process = builder.start();
      if (!process.waitFor(XDG_OPEN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        return "xdg-open did not return within " + XDG_OPEN_LIMIT.toSeconds() + " s";
      }
      return process.exitValue() == 0 ? null : "xdg-open exited " + process.exitValue();
    } catch (IOException e) {
      return "xdg-open failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** {@code java.awt.Desktop}, asked only when xdg-open could not: it loads AWT. */
  static final class AwtDesktop implements Desktop {
    @Override
    public boolean canBrowse() {
      try {
        return !java.awt.GraphicsEnvironment.isHeadless() && java.awt.Desktop.isDesktopSupported()
            && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE);
      } catch (RuntimeException | LinkageError e) {
        return false;
      }
    }

    @Override
    public void browse(URI url) throws IOException {
      java.awt.Desktop.getDesktop().browse(url);
    }
  }
}
