package dev.spotrunner.common.metrics;

/** The units CloudWatch accepts for a metric, spelled as the embedded metric format wants them. */
public enum Unit {
  SECONDS("Seconds"),
  MILLISECONDS("Milliseconds"),
  MICROSECONDS("Microseconds"),
  BYTES("Bytes"),
  KILOBYTES("Kilobytes"),
  MEGABYTES("Megabytes"),
  GIGABYTES("Gigabytes"),
  BITS("Bits"),
  PERCENT("Percent"),
  COUNT("Count"),
  BYTES_PER_SECOND("Bytes/Second"),
  COUNT_PER_SECOND("Count/Second"),
  NONE("None");

  private final String emfName;

  Unit(String emfName) {
    this.emfName = emfName;
  }

  /** The name in an EMF document, such as {@code Milliseconds} or {@code Count/Second}. */
  public String emfName() {
    return emfName;
  }
}
