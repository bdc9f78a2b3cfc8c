package dev.spotrunner.webhook.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The point of this package: its compiled classes name no AWS SDK and no jackson-databind class,
 * so the webhook jar can drop both (their class loading was most of the cold start).
 */
class NoSdkTest {
  @Test
  void mainClassesReferNeitherToTheSdkNorToDatabind() throws IOException, URISyntaxException {
    Path dir = Path.of(LiteAws.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve("dev/spotrunner/webhook/aws");
    List<Path> classes;
    try (Stream<Path> files = Files.list(dir)) {
      classes = files.filter(f -> f.toString().endsWith(".class")).toList();
    }
    assertThat(classes).hasSizeGreaterThanOrEqualTo(8);
    for (Path file : classes) {
      // Class names in the constant pool are plain UTF-8: a reference shows as its internal name.
      String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertThat(pool).as(file.getFileName().toString())
          .doesNotContain("software/amazon/")
          .doesNotContain("com/fasterxml/jackson/databind")
          .doesNotContain("dev/spotrunner/common/aws/")
          .doesNotContain("dev/spotrunner/common/json/");
    }
  }
}
