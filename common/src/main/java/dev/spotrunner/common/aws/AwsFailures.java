package dev.spotrunner.common.aws;

import dev.spotrunner.common.AwsErrorCodes;
import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Redaction;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns SDK exceptions into spotrunner's two kinds of failure: throttling, 5xx and network errors
 * are {@link TransientFailure} (the message goes back to its queue), everything else — validation,
 * permissions, missing resources — is {@link PermanentFailure}.
 *
 * <p>Messages name the service, the operation, AWS's error code and HTTP status; AWS's own message
 * is included only through {@link Redaction}, and never for operations that carried a secret.
 */
public final class AwsFailures {
  /** Error codes AWS uses for "slow down" or "try again" whatever the HTTP status. */
  private static final Set<String> TRANSIENT_CODES = AwsErrorCodes.TRANSIENT;

  private AwsFailures() {}

  /** Whether AWS would answer the same call differently later. */
  public static boolean isTransient(SdkException failure) {
    if (failure instanceof AwsServiceException service) {
      int status = service.statusCode();
      return status >= 500 || status == 429 || service.isThrottlingException()
          || TRANSIENT_CODES.contains(code(service));
    }
    // Client-side: connection refused, read timeout, a call that ran out of time.
    return failure instanceof SdkClientException || failure.retryable();
  }

  /** The AWS error code, or "" when the failure did not come from AWS. */
  public static String code(SdkException failure) {
    if (failure instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      String code = service.awsErrorDetails().errorCode();
      return code == null ? "" : code;
    }
    return "";
  }

  /** The translated failure for {@code service operation}; AWS's message is cleaned and kept. */
  public static RuntimeException translate(String service, String operation, SdkException failure) {
    return translate(service, operation, failure, true);
  }

  /**
   * The translated failure. With {@code keepMessage} false (calls that carried a secret value)
   * AWS's text and the SDK exception are dropped, so nothing the request held can surface.
   */
  public static RuntimeException translate(String service, String operation, SdkException failure,
      boolean keepMessage) {
    StringBuilder message = new StringBuilder(service).append(' ').append(operation).append(" failed");
    if (failure instanceof AwsServiceException aws) {
      message.append(": ").append(code(aws).isEmpty() ? "error" : code(aws))
          .append(" (HTTP ").append(aws.statusCode()).append(')');
      if (keepMessage && aws.awsErrorDetails() != null && aws.awsErrorDetails().errorMessage() != null) {
        message.append(" ").append(Redaction.clean(aws.awsErrorDetails().errorMessage()));
      }
    } else {
      message.append(": ").append(failure.getClass().getSimpleName());
      if (keepMessage && failure.getMessage() != null) {
        message.append(" ").append(Redaction.clean(failure.getMessage()));
      }
    }
    Throwable cause = keepMessage ? failure : null;
    return isTransient(failure)
        ? new TransientFailure(message.toString(), cause)
        : new PermanentFailure(message.toString(), cause);
  }
}
