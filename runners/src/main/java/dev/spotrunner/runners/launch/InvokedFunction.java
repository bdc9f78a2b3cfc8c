package dev.spotrunner.runners.launch;

import com.amazonaws.services.lambda.runtime.Context;
import dev.spotrunner.common.fleet.InstanceId;
import java.util.Optional;

/**
 * The ARN this Lambda was invoked as, from its context: it names the partition, Region and account
 * that runner instance ARNs are made of ({@link #instanceArn}), with no STS call. Per container,
 * recorded by the handler on each invocation; unknown outside Lambda (tests, the simulator).
 */
public final class InvokedFunction {
  private static volatile String arn;

  private InvokedFunction() {}

  /** Remembers the context's function ARN; a null context or ARN changes nothing. */
  public static void record(Context context) {
    if (context != null && context.getInvokedFunctionArn() != null) {
      arn = context.getInvokedFunctionArn();
    }
  }

  /** The function ARN recorded last, if any. */
  public static Optional<String> arn() {
    return Optional.ofNullable(arn);
  }

  /** For tests: back to "not invoked yet". */
  static void forget() {
    arn = null;
  }

  /**
   * {@code arn:<partition>:ec2:<region>:<account>:instance/<id>} in the function's partition, Region
   * and account (scale-up launches in its own Region); empty when {@code functionArn} is not a
   * Lambda function ARN ({@code arn:<partition>:lambda:<region>:<account>:function:<name>[:alias]}).
   */
  public static Optional<String> instanceArn(String functionArn, InstanceId instance) {
    String[] parts = functionArn == null ? new String[0] : functionArn.split(":", -1);
    if (parts.length < 7 || !"arn".equals(parts[0]) || !"lambda".equals(parts[2])
        || !"function".equals(parts[5]) || parts[1].isEmpty() || parts[3].isEmpty()
        || !parts[4].matches("\\d{12}")) {
      return Optional.empty();
    }
    return Optional.of("arn:" + parts[1] + ":ec2:" + parts[3] + ":" + parts[4] + ":instance/"
        + instance.value());
  }
}
