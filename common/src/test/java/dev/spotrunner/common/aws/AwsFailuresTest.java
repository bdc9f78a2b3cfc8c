package dev.spotrunner.common.aws;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsFailuresTest {
  private static AwsServiceException aws(int status, String code, String message) {
    return AwsServiceException.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
        .build();
  }

  @Test
  void throttlingServerErrorsAndNetworkFailuresAreTransient() {
    assertInstanceOf(TransientFailure.class, AwsFailures.translate("EC2", "CreateFleet", aws(503, "RequestLimitExceeded", "x")));
    assertInstanceOf(TransientFailure.class, AwsFailures.translate("SQS", "SendMessage", aws(400, "ThrottlingException", "x")));
    assertInstanceOf(TransientFailure.class, AwsFailures.translate("EC2", "CreateFleet", aws(400, "RequestLimitExceeded", "x")));
    assertInstanceOf(TransientFailure.class, AwsFailures.translate("S3", "GetObject", aws(500, "InternalError", "x")));
    assertInstanceOf(TransientFailure.class, AwsFailures.translate("SSM", "GetParameter",
        SdkClientException.create("Unable to execute HTTP request: Connection refused")));
  }

  @Test
  void validationAndPermissionErrorsArePermanent() {
    assertInstanceOf(PermanentFailure.class, AwsFailures.translate("EC2", "CreateFleet",
        aws(400, "InvalidLaunchTemplateName.NotFoundException", "x")));
    assertInstanceOf(PermanentFailure.class, AwsFailures.translate("SSM", "GetParameter", aws(400, "AccessDeniedException", "x")));
  }

  @Test
  void messagesNameTheCallAndCodeAndNeverASecret() {
    String token = "ghs_" + "a".repeat(36);
    RuntimeException kept = AwsFailures.translate("SQS", "SendMessage", aws(400, "InvalidParameterValue", "body " + token));
    RuntimeException dropped = AwsFailures.translate("SSM", "PutParameter /x", aws(400, "ValidationException", "value " + token), false);

    assertTrue(kept.getMessage().startsWith("SQS SendMessage failed: InvalidParameterValue (HTTP 400)"), kept.getMessage());
    assertFalse(kept.getMessage().contains(token));
    assertFalse(dropped.getMessage().contains("value"));
    assertTrue(dropped.getCause() == null);
  }
}
