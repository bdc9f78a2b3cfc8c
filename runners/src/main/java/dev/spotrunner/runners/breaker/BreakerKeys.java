package dev.spotrunner.runners.breaker;

/**
 * The breakers of a pool: one per instance type and one per subnet (a subnet is one availability
 * zone, and the launcher chooses subnets, not zones). CreateFleet offers every type in every subnet,
 * so a market is left out by leaving out its type or its subnet.
 */
public final class BreakerKeys {
  private static final String TYPE = "instance-type:";
  private static final String SUBNET = "subnet:";

  private BreakerKeys() {}

  public static String instanceType(String type) {
    return TYPE + type;
  }

  public static String subnet(String subnetId) {
    return SUBNET + subnetId;
  }
}
