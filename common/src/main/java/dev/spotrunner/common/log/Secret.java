package dev.spotrunner.common.log;

import java.util.Objects;

/** A secret value whose {@link #toString()} never shows it; call {@link #reveal()} to use it. */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = Objects.requireNonNull(value, "secret");
  }

  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return Redaction.MASK;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
