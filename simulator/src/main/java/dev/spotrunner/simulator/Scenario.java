package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Terraform does not know: the trace window, who owns the jobs, how trace labels map to the
 * deployment's labels, the world's timings and faults, and prices. Read from the {@code --scenario}
 * JSON file; every field has a documented default (docs/simulator.md, "Scenario"), and
 * {@link #settings()} says for each whether the file set it.
 */
public record Scenario(
    String owner,
    String repository,
    Instant from,
    Instant to,
    Map<String, List<String>> labels,
    JsonNode boot,
    Map<String, JsonNode> bootByPool,
    Map<String, JsonNode> bootByPath,
    ControlPlane controlPlane,
    Spot spot,
    GitHub github,
    Map<String, Price> prices,
    Ec2 ec2) {

  /** Stock AMI + user_data install: see docs/simulator.md#boot-time for the sources of the fit. */
  static final JsonNode DEFAULT_BOOT = node("{\"type\":\"lognormal\",\"median\":80,\"sigma\":0.3,\"min\":30}");

  /**
   * Boot time by the pool's boot path (read from the launch template's user_data:
   * {@code SPOTRUNNER_BOOT} on Linux, {@code -Boot} on Windows, {@link Deployment#bootPath}); the
   * scenario's {@code bootByPath} adds to and overrides these, {@code install} boots as
   * {@link #boot}, a pool in {@link #bootByPool} wins. {@code prebuilt} skips the package install
   * and the runner download (docs/images.md, "Expected boot times": launch→running +
   * kernel/cloud-init + config and runner start, an estimate from cited parts, not a measurement).
   * Windows (docs/simulator.md, "Where the numbers come from"): AWS gives about 242 s for a
   * custom Windows AMI to launch without EC2 Fast Launch and says the OS launch steps "often take
   * 15 minutes or longer"; on top, the config and runner start (prebuilt) or the runner zip from
   * the S3 cache, its checksum and unpacking (install). {@code none} (user_data off) and
   * {@code custom} (a template that declares no path) have no default: the image or template
   * decides, and only the user knows how long it takes ({@link #bootFor}).
   */
  static final Map<String, JsonNode> DEFAULT_BOOT_BY_PATH = Map.of(
      "prebuilt", node("{\"type\":\"lognormal\",\"median\":35,\"sigma\":0.3,\"min\":15}"),
      "windows-prebuilt", node("{\"type\":\"lognormal\",\"median\":260,\"sigma\":0.5,\"min\":90}"),
      "windows-install", node("{\"type\":\"lognormal\",\"median\":320,\"sigma\":0.5,\"min\":120}"));

  public Scenario {
    owner = owner == null ? "acme" : owner;
    repository = repository == null ? owner + "/ci" : repository;
    if (!repository.startsWith(owner + "/")) {
      throw new IllegalArgumentException("repository must belong to owner " + owner);
    }
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    boot = boot == null ? DEFAULT_BOOT : boot;
    bootByPool = bootByPool == null ? Map.of() : Map.copyOf(bootByPool);
    Map<String, JsonNode> byPath = new java.util.TreeMap<>(DEFAULT_BOOT_BY_PATH);
    if (bootByPath != null) {
      byPath.putAll(bootByPath);
    }
    bootByPath = Map.copyOf(byPath);
    controlPlane = controlPlane == null ? new ControlPlane(null, null, null, null) : controlPlane;
    spot = spot == null ? new Spot(null, null, null, null) : spot;
    github = github == null ? new GitHub(null, null, null) : github;
    prices = prices == null ? Map.of() : Map.copyOf(prices);
    ec2 = ec2 == null ? new Ec2(null) : ec2;
  }

  /**
   * The boot-time distribution of a pool with this boot path: the pool's own, else its path's,
   * else {@link #boot} for {@code install}. A path with no distribution ({@code none}: user_data
   * off; {@code custom}: the pool's own template) is refused with what to add, rather than
   * guessed.
   */
  public JsonNode bootFor(String pool, String bootPath) {
    JsonNode spec = bootByPool.get(pool);
    if (spec == null) {
      spec = bootByPath.get(bootPath);
    }
    if (spec == null && "install".equals(bootPath)) {
      spec = boot;
    }
    if (spec == null) {
      throw new IllegalArgumentException("pool " + pool + " boots by path '" + bootPath + "' ("
          + ("none".equals(bootPath) ? "user_data off: the image starts its runner itself"
              : "custom".equals(bootPath) ? "its own user_data template declares no boot path"
              : "a path the simulator has no boot time for")
          + "): give its boot time in the scenario, as bootByPool." + pool + " or bootByPath."
          + bootPath + " (docs/simulator.md#scenario)");
    }
    return spec;
  }

  /** The defaults alone. */
  public static Scenario defaults() {
    return new Scenario(null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public static Scenario read(Path file) throws IOException {
    return Json.read(Files.readString(file), Scenario.class);
  }

  /**
   * Latencies of the control plane (seconds, {@link Distribution} specs): GitHub's webhook until
   * the message is on the queue, one scale-up invocation, a runner online until GitHub assigns it
   * a job, and an ephemeral instance's shutdown after its job (billed, idle).
   */
  public record ControlPlane(JsonNode webhookToQueue, JsonNode scaleUp, JsonNode assign,
      JsonNode shutdown) {
    public ControlPlane {
      webhookToQueue = webhookToQueue == null
          ? node("{\"type\":\"lognormal\",\"median\":1,\"sigma\":0.5}") : webhookToQueue;
      scaleUp = scaleUp == null ? node("{\"type\":\"lognormal\",\"median\":3,\"sigma\":0.4}") : scaleUp;
      assign = assign == null ? node("{\"type\":\"lognormal\",\"median\":3,\"sigma\":0.5}") : assign;
      shutdown = shutdown == null ? node("{\"type\":\"lognormal\",\"median\":20,\"sigma\":0.3}") : shutdown;
    }
  }

  /**
   * Spot: independent reclaims per instance-hour; capacity outages per instance type and subnet
   * (each pair is out of spot capacity {@code outagesPerDay} times a day for an exponential
   * {@code meanOutageMinutes}, plus the listed {@code outages}); correlated reclaim waves
   * ({@code perWeek} at random and at the listed times {@code at}, each taking {@code fraction} of
   * the running spot instances of one instance type); bad markets ({@code badMarkets}: one
   * instance type, in one subnet or all, reclaiming its spot instances at a high rate for a
   * stretch of the trace).
   */
  public record Spot(Double interruptionsPerHour, Capacity capacity, Waves reclaimWaves,
      List<BadMarket> badMarkets) {
    public Spot {
      badMarkets = badMarkets == null ? List.of() : List.copyOf(badMarkets);
      interruptionsPerHour = interruptionsPerHour == null ? 0.02 : interruptionsPerHour;
      capacity = capacity == null ? new Capacity(null, null, null) : capacity;
      reclaimWaves = reclaimWaves == null ? new Waves(null, null, null, null) : reclaimWaves;
      if (interruptionsPerHour < 0) {
        throw new IllegalArgumentException("spot.interruptionsPerHour must not be negative");
      }
    }
  }

  public record Capacity(Double outagesPerDay, Double meanOutageMinutes,
      List<CapacityOutage> outages) {
    public Capacity {
      outagesPerDay = outagesPerDay == null ? 0.5 : outagesPerDay;
      meanOutageMinutes = meanOutageMinutes == null ? 60.0 : meanOutageMinutes;
      outages = outages == null ? List.of() : List.copyOf(outages);
    }
  }

  /**
   * A bad spot market: from {@code start} for {@code minutes}, each spot instance of
   * {@code instanceType} in {@code subnet} (null: every subnet) is reclaimed at
   * {@code interruptionsPerHour} (exponential; on top of the independent rate), whether it was
   * running when the stretch began or launched during it.
   */
  public record BadMarket(String instanceType, String subnet, Instant start, int minutes,
      double interruptionsPerHour) {
    public BadMarket {
      if (instanceType == null || start == null || minutes <= 0 || interruptionsPerHour <= 0) {
        throw new IllegalArgumentException("spot.badMarkets: instanceType, start, minutes > 0 and "
            + "interruptionsPerHour > 0 are required");
      }
    }
  }

  /** A known spot capacity outage of one instance type, in one subnet or (null) in all. */
  public record CapacityOutage(String instanceType, String subnet, Instant start, int minutes) {}

  public record Waves(Double perWeek, Double fraction, String instanceType, List<Instant> at) {
    public Waves {
      perWeek = perWeek == null ? 1.0 : perWeek;
      fraction = fraction == null ? 0.3 : fraction;
      at = at == null ? List.of() : List.copyOf(at);
      if (fraction < 0 || fraction > 1) {
        throw new IllegalArgumentException("spot.reclaimWaves.fraction must be 0-1");
      }
    }
  }

  /** GitHub: the secondary limit's points per minute per installation, retry-after, outages. */
  public record GitHub(Integer pointsPerMinute, Integer retryAfterSeconds, List<Outage> outages) {
    public GitHub {
      pointsPerMinute = pointsPerMinute == null ? 900 : pointsPerMinute;
      retryAfterSeconds = retryAfterSeconds == null ? 60 : retryAfterSeconds;
      outages = outages == null ? List.of() : List.copyOf(outages);
    }
  }

  /**
   * EC2's eventual consistency: a {@code DescribeInstances} by tag leaves out instances launched
   * less than {@code listingLagSeconds} ago (0: immediately consistent, the default). AWS
   * publishes no window; its guide says a new instance may not be visible at once and to retry
   * from a couple of seconds up to a few minutes.
   */
  public record Ec2(Integer listingLagSeconds) {
    public Ec2 {
      listingLagSeconds = listingLagSeconds == null ? 0 : listingLagSeconds;
      if (listingLagSeconds < 0) {
        throw new IllegalArgumentException("ec2.listingLagSeconds must not be negative");
      }
    }
  }

  /** GitHub's API answers 5xx from {@code start} for {@code minutes}. */
  public record Outage(Instant start, int minutes) {}

  /** USD per instance-hour. */
  public record Price(double onDemand, double spot) {}

  /** Every value with whether the file gave it; for the report. */
  public List<Deployment.Setting> settings(JsonNode file) {
    return settings(file, Set.of());
  }

  /** As {@link #settings(JsonNode)}, with the fields {@code commandLine} set (e.g. the window). */
  public List<Deployment.Setting> settings(JsonNode file, Set<String> commandLine) {
    List<Deployment.Setting> out = new ArrayList<>();
    ObjectNode all = Json.MAPPER.valueToTree(this);
    all.fields().forEachRemaining(e -> out.add(new Deployment.Setting("scenario", e.getKey(),
        e.getValue().toString(), commandLine.contains(e.getKey()) ? "command line"
            : file != null && file.has(e.getKey()) ? "scenario file"
            : "default (docs/simulator.md#scenario)")));
    return out;
  }

  /** This scenario replaying another window of the trace (null: keep this one's bound). */
  public Scenario window(Instant from, Instant to) {
    return new Scenario(owner, repository, from == null ? this.from : from,
        to == null ? this.to : to, labels, boot, bootByPool, bootByPath, controlPlane, spot, github,
        prices,
        ec2);
  }

  private static JsonNode node(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNodeFactory nodes() {
    return JsonNodeFactory.instance;
  }
}
