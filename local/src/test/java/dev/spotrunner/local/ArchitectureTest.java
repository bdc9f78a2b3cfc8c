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
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The module table of docs/architecture.md, read from the page and enforced on the compiled classes
 * of every module: the table names every Java module of the build; each module's main code lives in
 * its own package and imports only what the table allows; no package cycles inside a module. And every test the page cites as holding an invariant exists.
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

  /** A Java module's row of the page's module table: its folder, package and allowed imports. */
  record ModuleRow(String module, String ownPackage, List<String> allowed) {
    @Override
    public String toString() {
      return module;
    }
  }

  private static final Pattern ROW = Pattern.compile(
      "^\\| `([a-z-]+)/` \\| `dev\\.spotrunner\\.([a-z]+)` \\|.*\\| ([^|]*) \\|\\s*$");

  /** Every row of the table that names a package, read from docs/architecture.md. */
  static List<ModuleRow> moduleTable() throws IOException {
    List<ModuleRow> rows = new ArrayList<>();
    for (String line : Files.readAllLines(PAGE)) {
      Matcher row = ROW.matcher(line);
      if (row.matches()) {
        // "common, testkit (it runs the jars …)": the words before any remark; "—": nothing
        String imports = row.group(3).replaceAll("\\(.*\\)", "").trim();
        List<String> allowed = imports.equals("—") ? List.of()
            : Stream.of(imports.split(",")).map(String::trim).map(ArchitectureTest::packageOfModule).toList();
        rows.add(new ModuleRow(row.group(1), row.group(2), allowed));
      }
    }
    return rows;
  }

  private static String packageOfModule(String module) {
    return module.equals("binary-syncer") ? "syncer" : module;
  }

  static Stream<ModuleRow> modules() throws IOException {
    return moduleTable().stream();
  }

  @Test
  void theTableNamesEveryJavaModuleOfTheBuild() throws IOException {
    Set<String> built = new LinkedHashSet<>();
    Matcher module = Pattern.compile("<module>([a-z-]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
    while (module.find()) {
      built.add(module.group(1));
    }
    Set<String> tabled = new LinkedHashSet<>(moduleTable().stream().map(ModuleRow::module).toList());
    assertThat(tabled).as("Java modules in docs/architecture.md's table").isEqualTo(built);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void eachModuleImportsOnlyWhatTheTableAllows(ModuleRow row) throws IOException {
    JavaClasses classes = mainClassesOf(row.module());
    Set<String> permitted = new LinkedHashSet<>(List.of(row.ownPackage()));
    permitted.addAll(row.allowed());
    List<String> forbidden = new ArrayList<>();
    for (ModuleRow other : moduleTable()) {
      if (!permitted.contains(other.ownPackage())) {
        forbidden.add("dev.spotrunner." + other.ownPackage() + "..");
      }
    }

    classes().should().resideInAPackage("dev.spotrunner." + row.ownPackage() + "..")
        .because("a module's classes live in its own package (no class planted in another module's)")
        .check(classes);
    noClasses().should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
        .because("docs/architecture.md: the modules and what each may import")
        .check(classes);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void noModuleHasAPackageCycle(ModuleRow row) {
    slices().matching("dev.spotrunner.(**)").should().beFreeOfCycles().check(mainClassesOf(row.module()));
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
