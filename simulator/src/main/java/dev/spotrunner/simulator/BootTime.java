package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/** How long an instance takes from launch until its runner is online, in seconds. */
public interface BootTime {
  long sampleSeconds();

  /** Builds the distribution a pool names; draws come from the simulation's seeded generator. */
  static BootTime of(SimulationConfig.SimPool pool, RandomGenerator random) {
    JsonNode boot = pool.boot();
    if (boot == null || boot.isNull()) {
      return switch (pool.image()) {
        case "prebuilt" -> fromDistribution(new NormalDistribution(random, 45, 6), 20);
        case "stock" -> fromDistribution(new UniformRealDistribution(random, 120, 240), 60);
        default -> throw new IllegalArgumentException(
            "pool " + pool.name() + ": image must be prebuilt or stock, got " + pool.image());
      };
    }
    String type = boot.path("type").asText("fixed");
    return switch (type) {
      case "fixed" -> {
        long seconds = boot.path("seconds").asLong(45);
        yield () -> seconds;
      }
      case "uniform" -> fromDistribution(new UniformRealDistribution(random,
          boot.path("min").asDouble(120), boot.path("max").asDouble(240)), 0);
      case "normal" -> fromDistribution(new NormalDistribution(random,
          boot.path("mean").asDouble(45), boot.path("sd").asDouble(6)), 1);
      default -> throw new IllegalArgumentException(
          "pool " + pool.name() + ": boot.type must be fixed, uniform or normal, got " + type);
    };
  }

  private static BootTime fromDistribution(RealDistribution distribution, long floor) {
    return () -> Math.max(floor, Math.round(distribution.sample()));
  }
}
