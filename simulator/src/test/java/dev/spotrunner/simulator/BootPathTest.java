package dev.spotrunner.simulator;

import static dev.spotrunner.simulator.TestWorld.T0;
import static dev.spotrunner.simulator.TestWorld.job;
import static dev.spotrunner.simulator.TestWorld.pool;
import static dev.spotrunner.simulator.TestWorld.scenario;
import static dev.spotrunner.simulator.TestWorld.simulate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each pool boots as its launch template's user_data says (Linux, Windows, none, custom). */
class BootPathTest {
  private static final Path TEMPLATES = Path.of("../terraform/modules/runners/templates");

  /** A built-in template rendered for one boot path, as the launch template holds it (base64). */
  private static String rendered(String template, String boot) throws IOException {
    String text = Files.readString(TEMPLATES.resolve(template)).replace("${boot}", boot);
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theModulesLinuxAndWindowsUserDataReadAsTheirBootPaths() throws IOException {
    assertThat(Deployment.bootPath(rendered("user-data.sh.tftpl", "install"))).isEqualTo("install");
    assertThat(Deployment.bootPath(rendered("user-data.sh.tftpl", "prebuilt"))).isEqualTo("prebuilt");
    assertThat(Deployment.bootPath(rendered("user-data.ps1.tftpl", "install")))
        .isEqualTo("windows-install");
    assertThat(Deployment.bootPath(rendered("user-data.ps1.tftpl", "prebuilt")))
        .isEqualTo("windows-prebuilt");
  }

  @Test
  void noUserDataIsNoneAndATemplateThatDeclaresNoPathIsCustom() {
    assertThat(Deployment.bootPath("")).isEqualTo("none");
    assertThat(Deployment.bootPath(Base64.getEncoder().encodeToString(
        "#!/bin/sh\nexec /opt/my-runner/start\n".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("custom");
    assertThat(Deployment.bootPath(Base64.getEncoder().encodeToString(
        "<powershell>\n& C:\\mine\\start.ps1\n</powershell>".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("custom");
  }

  @Test
  void aWindowsPoolBootsWithTheWindowsDistributionNotTheLinuxInstallOne() {
    // Linux install boots in a fixed 100 s here; the Windows default's floor alone is 120 s
    Scenario scenario = scenario(100, null);
    TestWorld.Pool linux = pool();
    TestWorld.Pool windows = pool();
    windows.bootPath = "windows-install";

    long linuxWait = simulate(linux.deployment(), scenario, List.of(job(1, T0, 60)))
        .simulatedWaits().get("linux").getFirst();
    long windowsWait = simulate(windows.deployment(), scenario, List.of(job(1, T0, 60)))
        .simulatedWaits().get("linux").getFirst();

    assertThat(linuxWait).isEqualTo(30 + 100);
    assertThat(windowsWait).isGreaterThanOrEqualTo(30 + 120);
    assertThat(scenario.bootFor("linux", "windows-install"))
        .isEqualTo(Scenario.DEFAULT_BOOT_BY_PATH.get("windows-install"));
    assertThat(scenario.bootFor("linux", "windows-prebuilt"))
        .isEqualTo(Scenario.DEFAULT_BOOT_BY_PATH.get("windows-prebuilt"));
  }

  @Test
  void aPoolWithoutUserDataOrWithItsOwnTemplateIsRefusedUntilTheScenarioGivesItsBootTime() {
    TestWorld.Pool off = pool();
    off.bootPath = "none";
    TestWorld.Pool custom = pool();
    custom.bootPath = "custom";

    assertThatThrownBy(() -> simulate(off.deployment(), scenario(100, null), List.of(job(1, T0, 60))))
        .hasMessageContaining("pool linux boots by path 'none'")
        .hasMessageContaining("bootByPool.linux or bootByPath.none");
    assertThatThrownBy(() -> simulate(custom.deployment(), scenario(100, null),
        List.of(job(1, T0, 60)))).hasMessageContaining("bootByPath.custom");

    long byPath = simulate(off.deployment(), scenario(100,
        "{\"bootByPath\":{\"none\":{\"type\":\"fixed\",\"seconds\":25}}}"), List.of(job(1, T0, 60)))
        .simulatedWaits().get("linux").getFirst();
    long byPool = simulate(custom.deployment(), scenario(100,
        "{\"bootByPool\":{\"linux\":{\"type\":\"fixed\",\"seconds\":40}}}"), List.of(job(1, T0, 60)))
        .simulatedWaits().get("linux").getFirst();
    assertThat(byPath).isEqualTo(30 + 25);
    assertThat(byPool).isEqualTo(30 + 40);
  }

  @Test
  void aScenarioBootByPathAddsToTheDefaultsInsteadOfReplacingThem() {
    Scenario scenario = scenario(100, "{\"bootByPath\":{\"none\":{\"type\":\"fixed\",\"seconds\":25}}}");

    assertThat(scenario.bootFor("p", "prebuilt")).isEqualTo(Scenario.DEFAULT_BOOT_BY_PATH.get("prebuilt"));
    assertThat(scenario.bootFor("p", "none").path("seconds").asInt()).isEqualTo(25);
  }
}
