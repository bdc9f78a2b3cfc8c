package dev.spotrunner.local;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The module table of docs/architecture.md, enforced on the compiled classes of every module: each
 * module's main code lives in its own package and imports only what the table allows; no package
 * cycles inside a module. And every test the page cites as holding an invariant exists.
 */
class ArchitectureTest {
  static final Path ROOT = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
  private static final Path PAGE = ROOT.resolve("docs/architecture.md");

  private static final Map<String, JavaClasses> IMPORTED = new ConcurrentHashMap<>();

  private static JavaClasses mainClassesOf(String module) {
    return IMPORTED.computeIfAbsent(module, ArchitectureTest::importModule);
  }

  private static JavaClasses importModule(String module) {
    Path classes = ROOT.resolve(module).resolve("target/classes");
    // local is built after every other module (its pom orders them): a missing directory is a
    // broken build, never a rule that passes on nothing.
    assertThat(classes.resolve("dev/spotrunner")).as("compiled classes of " + module).isDirectory();
    JavaClasses imported = new ClassFileImporter().importPath(classes);
    assertThat(imported).as("classes of " + module).isNotEmpty();
    return imported;
  }

  @ParameterizedTest(name = "{0} lives in dev.spotrunner.{1} and imports only {2}")
  @CsvSource(delimiter = ';', value = {
      "common;        common;    ",
      "testkit;       testkit;   common",
      "webhook;       webhook;   common",
      "runners;       runners;   common",
      "binary-syncer; syncer;    common",
      "simulator;     simulator; common,testkit,webhook,runners",
      "local;         local;     common,testkit",
  })
  void eachModuleImportsOnlyWhatTheTableAllows(String module, String ownPackage, String allowed) {
    JavaClasses classes = mainClassesOf(module);
    Set<String> permitted = new LinkedHashSet<>(List.of(ownPackage));
    if (allowed != null) {
      permitted.addAll(List.of(allowed.split(",")));
    }
    List<String> forbidden = new ArrayList<>();
    for (String other : List.of("common", "testkit", "webhook", "runners", "syncer", "simulator", "local")) {
      if (!permitted.contains(other)) {
        forbidden.add("dev.spotrunner." + other + "..");
      }
    }

    classes().should().resideInAPackage("dev.spotrunner." + ownPackage + "..")
        .because("a module's classes live in its own package (no class planted in another module's)")
        .check(classes);
    noClasses().should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
        .because("docs/architecture.md: the modules and what each may import")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"common", "testkit", "webhook", "runners", "binary-syncer", "local"})
  void noModuleHasAPackageCycle(String module) {
    slices().matching("dev.spotrunner.(**)").should().beFreeOfCycles().check(mainClassesOf(module));
  }

  @Test
  void everyTestThePageCitesExists() throws IOException {
    String page = Files.readString(PAGE);
    Set<String> tests = testSourcesByName();
    // `ClassName` or `ClassName.method` where ClassName ends in Test, IT, Properties or Benchmark
    Matcher cited = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT|Properties|Benchmark))(?:\\.([a-z][A-Za-z0-9]*))?`")
        .matcher(page);
    List<String> missing = new ArrayList<>();
    int count = 0;
    while (cited.find()) {
      count++;
      String type = cited.group(1);
      String method = cited.group(2);
      Path source = tests.stream().map(Path::of).filter(p -> p.getFileName().toString().equals(type + ".java"))
          .findFirst().orElse(null);
      if (source == null) {
        missing.add(type);
      } else if (method != null && !Files.readString(source).matches("(?s).*\\b" + method + "\\s*\\(.*")) {
        missing.add(type + "." + method);
      }
    }
    assertThat(count).as("tests cited on docs/architecture.md").isGreaterThanOrEqualTo(9);
    assertThat(missing).as("cited on docs/architecture.md but not found").isEmpty();
  }

  private static Set<String> testSourcesByName() throws IOException {
    Set<String> found = new LinkedHashSet<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/test/java"))).toList()) {
        try (Stream<Path> files = Files.walk(module.resolve("src/test/java"))) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(f -> found.add(f.toString()));
        }
      }
    }
    return found;
  }
}
