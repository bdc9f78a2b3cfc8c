package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --open}: xdg-open (a script standing in for it on a PATH of the test's own) when there is a
 * display, else java.awt.Desktop (a port), else the URL printed with why it could not be opened.
 */
class BrowserTest {
  static final URI PAGE = URI.create("http://127.0.0.1:41234/");

  @TempDir
  Path bin;

  /** A desktop that records what it was asked to browse. */
  static final class RecordingDesktop implements Browser.Desktop {
    final boolean canBrowse;
    final List<URI> browsed = new ArrayList<>();

    RecordingDesktop(boolean canBrowse) {
      this.canBrowse = canBrowse;
    }

    @Override
    public boolean canBrowse() {
      return canBrowse;
    }

    @Override
    public void browse(URI url) {
      browsed.add(url);
    }
  }

  /** An xdg-open that writes the URL it was given to a file and exits with {@code exit}. */
  private Path xdgOpen(int exit) throws IOException {
    Path script = bin.resolve("xdg-open");
    Files.writeString(script, "#!/bin/sh\nprintf '%s' \"$1\" > '" + bin.resolve("opened") + "'\nexit " + exit + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin.resolve("opened");
  }

  private static String printed(Browser browser) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    browser.open(PAGE, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void opensThePageWithXdgOpenWhenADisplayIsSet() throws IOException {
    Path opened = xdgOpen(0);
    RecordingDesktop desktop = new RecordingDesktop(true);
    Browser browser = new Browser(Map.of("PATH", "/nonexistent:" + bin, "DISPLAY", ":0"), desktop);

    String out = printed(browser);

    assertThat(Files.readString(opened)).isEqualTo(PAGE.toString());
    assertThat(out).isEqualTo("opened " + PAGE + " in the browser (xdg-open)" + System.lineSeparator());
    assertThat(desktop.browsed).isEmpty();
  }

  @Test
  void usesTheDesktopWhenXdgOpenFails() throws IOException {
    Path opened = xdgOpen(3);
    RecordingDesktop desktop = new RecordingDesktop(true);

    Browser.Outcome outcome = new Browser(Map.of("PATH", bin.toString(), "WAYLAND_DISPLAY", "wayland-0"), desktop)
        .tryOpen(PAGE);

    assertThat(Files.readString(opened)).isEqualTo(PAGE.toString());
    assertThat(outcome).isEqualTo(new Browser.Outcome(true, "java.awt.Desktop"));
    assertThat(desktop.browsed).containsExactly(PAGE);
  }

  @Test
  void withoutADisplayXdgOpenIsNotRunAndTheUrlIsPrinted() throws IOException {
    Path opened = xdgOpen(0);
    RecordingDesktop desktop = new RecordingDesktop(false);

    String out = printed(new Browser(Map.of("PATH", bin.toString()), desktop));

    assertThat(opened).doesNotExist();
    assertThat(out).isEqualTo("cannot open a browser here (no DISPLAY or WAYLAND_DISPLAY, java.awt.Desktop cannot"
        + " browse); open " + PAGE + " yourself" + System.lineSeparator());
  }

  @Test
  void withNeitherXdgOpenNorADesktopItSaysSoAndPrintsTheUrl() {
    RecordingDesktop desktop = new RecordingDesktop(false);

    String out = printed(new Browser(Map.of("PATH", bin.toString(), "DISPLAY", ":0"), desktop));

    assertThat(out).startsWith("cannot open a browser here (no xdg-open on PATH, java.awt.Desktop cannot browse)")
        .contains("open " + PAGE + " yourself");
    assertThat(desktop.browsed).isEmpty();
  }

  @Test
  void aHeadlessMachinesDesktopCannotBrowseAndNothingIsThrown() {
    // CI and containers have no display (headless): the demo goes on and prints the URL
    System.setProperty("java.awt.headless", "true");
    Browser.Outcome outcome = new Browser(Map.of("PATH", bin.toString()), new Browser.AwtDesktop()).tryOpen(PAGE);
    assertThat(outcome).isEqualTo(
        new Browser.Outcome(false, "no xdg-open on PATH, java.awt.Desktop cannot browse"));
  }
}
