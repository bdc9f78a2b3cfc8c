package dev.spotrunner.common.fleet;

/** How an instance is bought. */
public enum CapacityType {
  SPOT,
  ON_DEMAND;

  /** The value EC2 uses: {@code spot} or {@code on-demand}. */
  public String ec2Value() {
    return this == SPOT ? "spot" : "on-demand";
  }
}
