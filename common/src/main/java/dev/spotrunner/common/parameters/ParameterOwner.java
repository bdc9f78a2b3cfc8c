package dev.spotrunner.common.parameters;

import java.util.Objects;

/**
 * Who alone may read a parameter: the tag that names the owner, which an IAM condition on
 * {@code ssm:resourceTag/<tagKey>} compares with the caller (a runner's own instance ARN), and the
 * KMS key the value is encrypted with (null: the account's {@code alias/aws/ssm}).
 */
public record ParameterOwner(String tagKey, String tagValue, String kmsKeyId) {
  public ParameterOwner {
    Objects.requireNonNull(tagKey, "tagKey");
    Objects.requireNonNull(tagValue, "tagValue");
    if (kmsKeyId != null && kmsKeyId.isBlank()) {
      kmsKeyId = null;
    }
  }
}
