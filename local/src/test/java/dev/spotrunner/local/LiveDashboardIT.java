package dev.spotrunner.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.stack.Deployment;
import dev.spotrunner.local.stack.LocalStack;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The local stack's live dashboard in a real browser (Debian's chromium, headless, through
 * chromedriver): the page is open before any job is queued; two jobs then run on a one-pool stack
 * and the test watches the page, not the stand-in, until it counts them completed. Then the page,
 * the applied dashboard drawn from the EMF the function processes wrote, shows them: as many
 * pickup-latency samples as jobs completed, the runners launched, the queue sampled, GitHub's points
 * per installation, and the functions' invocations. A missing browser fails the test; it never skips.
 */
class LiveDashboardIT {
  static final String POOL = "linux-x64";
  static final List<String> LABELS = List.of("self-hosted", "linux", "x64");
  static final String POOLS = """
      [{ name = "%s", labels = ["self-hosted", "linux", "x64"], default = true,
         instance_types = ["m5.large", "m5a.large"], max_count = 2, ami_id = "ami-12c6146b",
         delay_seconds = 0 }]""".formatted(POOL);
  static final int JOBS = 2;
  /** Queued → launched → booted → run 2 s → completed, on a loaded 2-core machine. */
  static final Duration ALL_COMPLETED_WITHIN = Duration.ofMinutes(3);
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static LocalStack stack;
  static Deployment.Pool pool;
  static WebDriver browser;
  /** Each change of the page's jobs line while the jobs ran: "queued running completed". */
  static final List<String> jobLinesSeen = new ArrayList<>();

  @BeforeAll
  static void openThePageThenRunTwoJobsAndWatchThemComplete() throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium (.ci/run installs it)").isExecutable();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver (.ci/run installs it)").isExecutable();
    Path root = Path.of(System.getProperty("spotrunner.root", "..")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-dashboard-it-");
    stack = LocalStack.start(LocalStack.Options.defaults(root, workDir).withPrefix("dash")
        .withTerraformVariables(Map.of("pools", POOLS)), StandInGitHub.start());
    pool = stack.deployment().pools().getFirst();

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking",
        "--disable-component-update", "--disable-dev-shm-usage", "--window-size=1400,3000");
    browser = new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).build(), options);
    browser.get(stack.dashboardUrl());
    // the live line is drawn at once; the widgets once the stack has read the applied body (terraform show)
    StackChecks.eventually(Duration.ofSeconds(30), "the page's first drawing",
        () -> !browser.findElements(By.id("jobs-completed")).isEmpty());
    assertThat(jobsOnThePage()).as("jobs queued, running, completed on the page before any job").isEqualTo("0 0 0");

    for (int i = 0; i < JOBS; i++) {
      stack.github().queueJob("acme/api", LABELS, Duration.ofSeconds(2));
    }
    // The page redraws itself every 2 s from /api/widgets: read its DOM until it counts every job completed.
    StackChecks.eventually(ALL_COMPLETED_WITHIN, "the page showing " + JOBS + " jobs completed", () -> {
      String line = jobsOnThePage();
      if (jobLinesSeen.isEmpty() || !jobLinesSeen.getLast().equals(line)) {
        jobLinesSeen.add(line);
      }
      return line.endsWith(" " + JOBS);
    });
    System.out.println("the page's jobs line (queued running completed) as it changed: " + jobLinesSeen);
    StackChecks.eventually(Duration.ofSeconds(60), "the page's widgets",
        () -> !browser.findElements(By.cssSelector("div.widget")).isEmpty());
  }

  /** "queued running completed" as the page shows them now. */
  private static String jobsOnThePage() {
    return current(() -> String.join(" ", List.of("jobs-queued", "jobs-running", "jobs-completed").stream()
        .map(id -> browser.findElement(By.id(id)).getDomAttribute("data-value")).toList()));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void thePageShowedTheJobsWaitingOrRunningBeforeItCountedThemCompleted() {
    // the first line seen after queueing: no job completed yet, some queued or running
    String[] first = jobLinesSeen.getFirst().split(" ");
    assertThat(Integer.parseInt(first[2])).as("completed at first, in " + jobLinesSeen).isLessThan(JOBS);
    assertThat(jobLinesSeen).as("a line with a job queued or running")
        .anyMatch(line -> Integer.parseInt(line.split(" ")[0]) + Integer.parseInt(line.split(" ")[1]) > 0);
    // completed never goes down while the page redraws
    assertThat(jobLinesSeen.stream().map(line -> Integer.parseInt(line.split(" ")[2])).toList()).isSorted();
    assertThat(jobLinesSeen.getLast()).isEqualTo("0 0 " + JOBS);
  }

  @Test
  void thePickupLatencyWidgetShowsOneSampleForEachJobThatRan() {
    String p50 = pool.name() + " p50";
    StackChecks.eventually(Duration.ofSeconds(30), "pickup latency p50 with " + JOBS + " samples",
        () -> samples("Pickup latency", p50).equals(Optional.of(Long.valueOf(JOBS))));
    assertThat(samples("Pickup latency", pool.name() + " p99")).contains(Long.valueOf(JOBS));
    double median = overall("Pickup latency", p50);
    double tail = overall("Pickup latency", pool.name() + " p99");
    assertThat(median).isPositive().isLessThanOrEqualTo(tail);
    assertThat(current(() -> browser.findElement(By.id("jobs-completed")).getDomAttribute("data-value")))
        .isEqualTo(Integer.toString(JOBS));
    assertThat(current(() -> widget("Pickup latency").findElement(By.cssSelector(".chart svg polyline"))
        .getDomAttribute("points"))).isNotBlank();
  }

  @Test
  void theLaunchWidgetsCountAnInstanceForEachJobByCapacityTypeAndByPlacement() {
    StackChecks.eventually(Duration.ofSeconds(30), "runners launched on spot",
        () -> samples("Runners launched", pool.name() + " spot").isPresent());
    double launched = overall("Runners launched", pool.name() + " spot")
        + overallOrZero("Runners launched", pool.name() + " on-demand");
    assertThat(launched).isGreaterThanOrEqualTo(JOBS);
    // the same instances by instance type and zone, one series per placement the fleet reported
    double placed = current(() -> rows("Instances launched").stream()
        .filter(r -> r.getDomAttribute("data-label").startsWith(pool.name() + " "))
        .mapToDouble(r -> Double.parseDouble(r.findElement(By.cssSelector("td.overall")).getText())).sum());
    assertThat(placed).isEqualTo(launched);
  }

  @Test
  void theQueueWidgetsShowTheSampledQueueAndDeadLetterQueue() {
    StackChecks.eventually(Duration.ofSeconds(30), "queue depth sampled",
        () -> samples("Jobs waiting (queue depth)", pool.name()).orElse(0L) > 0
            && samples("Dead-letter queue depth", pool.name()).orElse(0L) > 0);
    assertThat(overall("Dead-letter queue depth", pool.name())).isZero();
  }

  @Test
  void theGitHubPointsWidgetShowsThePointsTheFunctionsSpentPerInstallation() {
    StackChecks.eventually(Duration.ofSeconds(30), "GitHub points per installation",
        () -> current(() -> rows("GitHub points").stream()
            .anyMatch(r -> r.getDomAttribute("data-label").startsWith("installation:"))));
    // each launch asks GitHub for a JIT config: a POST, 5 points
    double points = current(() -> rows("GitHub points").stream()
        .filter(r -> r.getDomAttribute("data-label").startsWith("installation:"))
        .mapToDouble(r -> Double.parseDouble(r.findElement(By.cssSelector("td.overall")).getText())).sum());
    assertThat(points).isGreaterThanOrEqualTo(5.0 * JOBS);
  }

  @Test
  void theFunctionErrorsWidgetListsEveryFunctionWithItsInvocations() {
    StackChecks.eventually(Duration.ofSeconds(30), "scale-up invocations in the errors widget",
        () -> samples("Functions: Errors", "scale-up " + pool.name()).orElse(0L) > 0);
    assertThat(overall("Functions: Errors", "scale-up " + pool.name())).isZero();
    assertThat(samples("Functions: Errors", "webhook").orElse(0L)).isGreaterThanOrEqualTo(2L * JOBS);
  }

  private WebElement widget(String titleStart) {
    return browser.findElements(By.cssSelector("div.widget")).stream()
        .filter(w -> w.getDomAttribute("data-title") != null && w.getDomAttribute("data-title").startsWith(titleStart))
        .findFirst().orElseThrow(() -> new AssertionError("no widget titled " + titleStart + "…"));
  }

  /** The widget's series rows; none while the page has not drawn it. */
  private List<WebElement> rows(String titleStart) {
    return browser.findElements(By.cssSelector("div.widget")).stream()
        .filter(w -> w.getDomAttribute("data-title") != null && w.getDomAttribute("data-title").startsWith(titleStart))
        .findFirst().map(w -> w.findElements(By.cssSelector("table.series tr[data-label]"))).orElse(List.of());
  }

  private Optional<WebElement> row(String titleStart, String label) {
    return rows(titleStart).stream().filter(r -> label.equals(r.getDomAttribute("data-label"))).findFirst();
  }

  private Optional<Long> samples(String titleStart, String label) {
    return current(() -> row(titleStart, label)
        .map(r -> Long.parseLong(r.findElement(By.cssSelector("td.samples")).getText())));
  }

  private double overall(String titleStart, String label) {
    return current(() -> Double.parseDouble(row(titleStart, label)
        .orElseThrow(() -> new AssertionError("no series " + label))
        .findElement(By.cssSelector("td.overall")).getText()));
  }

  private double overallOrZero(String titleStart, String label) {
    return current(() -> row(titleStart, label).map(r -> r.findElement(By.cssSelector("td.overall")).getText())
        .filter(t -> !t.equals("no data")).map(Double::parseDouble).orElse(0.0));
  }

  /** Reads the page again when it redrew itself (every 2 s) between finding an element and reading it. */
  private static <T> T current(Supplier<T> read) {
    for (int attempt = 1; ; attempt++) {
      try {
        return read.get();
      } catch (StaleElementReferenceException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }
}
