package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line of {@code ./spotrunner up|demo}. */
class MainTest {
  @Test
  void openAsksForTheBrowserInTheDemoAndInUp() {
    assertThat(Main.Arguments.parse("demo", "--open").open()).isTrue();
    assertThat(Main.Arguments.parse("up", "--open").open()).isTrue();
    assertThat(Main.Arguments.parse("demo", "--jobs", "6", "--open", "--reclaim", "2"))
        .isEqualTo(new Main.Arguments("demo", 6, 2, null, Map.of(), true));
  }

  @Test
  void withoutOpenNoBrowserIsAskedFor() {
    assertThat(Main.Arguments.parse("up").open()).isFalse();
    assertThat(Main.Arguments.parse()).isEqualTo(new Main.Arguments("demo", 12, 0, null, Map.of(), false));
  }

  @Test
  void theOtherOptionsKeepTheirMeaning() {
    Main.Arguments arguments = Main.Arguments.parse("up", "--port", "8080", "--var", "scale_up_timeout_seconds=20",
        "--var", "pools=[{ name = \"a\" }]");
    assertThat(arguments.port()).isEqualTo(8080);
    assertThat(arguments.variables())
        .containsExactlyInAnyOrderEntriesOf(Map.of("scale_up_timeout_seconds", "20", "pools", "[{ name = \"a\" }]"));
    assertThat(arguments.open()).isFalse();
  }

  @Test
  void aWrongCommandLineIsNamed() {
    assertThatThrownBy(() -> Main.Arguments.parse("demo", "--opne")).hasMessage("unknown option --opne");
    assertThatThrownBy(() -> Main.Arguments.parse("open")).hasMessage("unknown command open");
    assertThatThrownBy(() -> Main.Arguments.parse("demo", "--jobs")).hasMessage("--jobs needs a value");
    assertThatThrownBy(() -> Main.Arguments.parse("demo", "--jobs", "many"))
        .hasMessage("--jobs takes a whole number, got 'many'");
    assertThatThrownBy(() -> Main.Arguments.parse("up", "--var", "novalue"))
        .hasMessageContaining("--var takes NAME=VALUE");
    assertThat(Main.USAGE).contains("--open");
  }
}
