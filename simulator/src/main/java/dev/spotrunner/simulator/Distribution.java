package dev.spotrunner.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * A duration in seconds drawn from a distribution a scenario names: {@code {"type":"fixed",
 * "seconds":45}}, {@code uniform {min,max}}, {@code normal {mean,sd}}, {@code lognormal
 * {median,sigma}} (sigma of the log; p99 = median·e^(2.33·sigma)) or {@code exponential {mean}};
 * every type takes an optional {@code min} floor. Draws come from the simulation's seeded generator.
 */
public interface Distribution {
  long sampleSeconds();

  /** Always zero: a step that takes no time. */
  Distribution ZERO = () -> 0;

  static Distribution of(JsonNode spec, RandomGenerator random, String what) {
    if (spec == null || spec.isNull() || spec.isMissingNode()) {
      return ZERO;
    }
    String type = spec.path("type").asText("fixed");
    long floor = spec.path("min").asLong(0);
    RealDistribution distribution = switch (type) {
      case "fixed" -> null;
      case "uniform" -> new UniformRealDistribution(random, spec.path("min").asDouble(0),
          number(spec, "max", what));
      case "normal" -> new NormalDistribution(random, number(spec, "mean", what),
          number(spec, "sd", what));
      case "lognormal" -> new LogNormalDistribution(random,
          Math.log(number(spec, "median", what)), number(spec, "sigma", what));
      case "exponential" -> new ExponentialDistribution(random, number(spec, "mean", what));
      default -> throw new IllegalArgumentException(what + ": type must be fixed, uniform, "
          + "normal, lognormal or exponential, got " + type);
    };
    if (distribution == null) {
      long seconds = (long) number(spec, "seconds", what);
      return () -> seconds;
    }
    return () -> Math.max(floor, Math.round(distribution.sample()));
  }

  private static double number(JsonNode spec, String field, String what) {
    JsonNode value = spec.path(field);
    if (!value.isNumber()) {
      throw new IllegalArgumentException(what + ": " + spec.path("type").asText("fixed")
          + " needs a number '" + field + "'");
    }
    return value.asDouble();
  }
}
