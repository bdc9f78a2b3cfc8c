package dev.spotrunner.common.parameters;

import dev.spotrunner.common.TransientFailure;

/**
 * SSM refused to store a parameter as sent: a validation error (size, tier), a quota, a KMS key or
 * a permission. Writing the same value again will not succeed, but a refused write is one failed
 * <em>step</em>, never a verdict on the job it was for: this is a {@link TransientFailure} so that
 * every caller sorting failures into "retry" and "drop" puts the job back, and the queue's receive
 * count takes it to the dead-letter queue with this message as the reason if it keeps failing.
 *
 * <p>The message names the parameter, AWS's error code, the tier tried and the value's length,
 * never the value nor AWS's own text (which may quote it).
 */
public final class ParameterRefused extends TransientFailure {
  private final String parameter;
  private final String code;

  public ParameterRefused(String parameter, String code, String message) {
    super(message);
    this.parameter = parameter;
    this.code = code;
  }

  /** The parameter's name. */
  public String parameter() {
    return parameter;
  }

  /** AWS's error code ({@code ValidationException}, {@code ParameterLimitExceeded}, ...) or ours. */
  public String code() {
    return code;
  }
}
