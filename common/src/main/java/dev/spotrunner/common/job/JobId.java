package dev.spotrunner.common.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A GitHub workflow job id: positive and unique across GitHub. It travels as a JSON number in a
 * {@link JobMessage}, as decimal text in an EC2 tag ({@code spotrunner:job-id}) and an SQS message
 * attribute ({@code jobId}), and as a number in GitHub's API; {@link #toString()} and
 * {@link #parse(String)} are the text form, so tags written before this type read back the same.
 */
public record JobId(long value) implements Comparable<JobId> {
  public JobId {
    if (value <= 0) {
      throw new IllegalArgumentException("jobId must be positive, got " + value);
    }
  }

  @JsonCreator
  public static JobId of(long value) {
    return new JobId(value);
  }

  /**
   * The id in a tag or attribute value, as {@link #toString()} writes it (surrounding blanks
   * allowed); null when the text is absent or names no job (a warm runner has no job-id tag).
   */
  public static JobId parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      long value = Long.parseLong(text.trim());
      return value > 0 ? new JobId(value) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The JSON form: a number, as the webhook has always written it. */
  @JsonValue
  @Override
  public long value() {
    return value;
  }

  @Override
  public int compareTo(JobId other) {
    return Long.compare(value, other.value);
  }

  /** The text form of tags and attributes: the decimal digits. */
  @Override
  public String toString() {
    return Long.toString(value);
  }
}
