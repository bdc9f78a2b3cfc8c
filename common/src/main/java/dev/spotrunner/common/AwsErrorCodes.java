package dev.spotrunner.common;

import java.util.Set;

/**
 * AWS error codes that mean "slow down" or "try again", whatever the HTTP status. Shared by the SDK
 * adapters ({@code common.aws.AwsFailures}) and the webhook's SDK-free client, so this class refers
 * to no SDK type.
 */
public final class AwsErrorCodes {
  public static final Set<String> TRANSIENT = Set.of(
      "RequestLimitExceeded",
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottled",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "SlowDown",
      "RequestTimeout",
      "RequestTimeoutException",
      "InternalError",
      "InternalFailure",
      "InternalServerError",
      "ServiceUnavailable",
      "ServiceUnavailableException",
      "Unavailable",
      "EC2ThrottledException",
      "PriorRequestNotComplete");

  private AwsErrorCodes() {}
}
