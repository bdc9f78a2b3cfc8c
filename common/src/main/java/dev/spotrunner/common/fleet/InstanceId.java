package dev.spotrunner.common.fleet;

import java.util.Objects;
import java.util.regex.Pattern;

/** An EC2 instance id such as {@code i-0123456789abcdef0}. */
public record InstanceId(String value) {
  private static final Pattern FORMAT = Pattern.compile("i-[0-9a-f]{8,17}");

  public InstanceId {
    Objects.requireNonNull(value, "instance id");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("not an EC2 instance id: '" + value + "'");
    }
  }

  /** Finds the instance id inside a runner name such as {@code spot-i-0abc...}; null when none. */
  public static InstanceId findIn(String text) {
    if (text == null) {
      return null;
    }
    var matcher = Pattern.compile("i-[0-9a-f]{8,17}").matcher(text);
    return matcher.find() ? new InstanceId(matcher.group()) : null;
  }

  @Override
  public String toString() {
    return value;
  }
}
