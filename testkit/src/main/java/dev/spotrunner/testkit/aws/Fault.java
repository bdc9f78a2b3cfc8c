package dev.spotrunner.testkit.aws;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * How the {@link FaultProxy} answers a matched call: in the wire format of the call's service (EC2
 * query XML, SQS and SSM JSON, S3 REST XML), so the SDK parses it as it would parse AWS's answer.
 */
@FunctionalInterface
public interface Fault {
  FaultProxy.Response answer(FaultProxy.Call call);

  /**
   * An {@code instant} CreateFleet that launched nothing: HTTP 200, no instances, and one
   * {@code errorSet} item per override with {@code errorCode} — what EC2 answers when a capacity
   * pool is empty.
   */
  static Fault capacity(String errorCode) {
    return call -> {
      String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          + "<CreateFleetResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
          + element("requestId", UUID.randomUUID().toString())
          + element("fleetId", "fleet-" + UUID.randomUUID())
          + "<errorSet>" + errorItems(call, errorCode) + "</errorSet><fleetInstanceSet/></CreateFleetResponse>";
      return response(200, "text/xml;charset=UTF-8", xml);
    };
  }

  /** The {@code errorSet} items EC2 reports for a CreateFleet call: one per override it tried. */
  static String errorItems(FaultProxy.Call call, String errorCode) {
    StringBuilder items = new StringBuilder();
    String lifecycle = "spot".equals(call.param("TargetCapacitySpecification.DefaultTargetCapacityType"))
        ? "spot" : "on-demand";
    String template = call.param("LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName");
    String version = call.param("LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version");
    // One bare item when the call had no overrides.
    for (int n = 1; n == 1 || call.param("LaunchTemplateConfigs.1.Overrides." + n + ".InstanceType") != null; n++) {
      String prefix = "LaunchTemplateConfigs.1.Overrides." + n + ".";
      String type = call.param(prefix + "InstanceType");
      String subnet = call.param(prefix + "SubnetId");
      items.append("<item><launchTemplateAndOverrides><launchTemplateSpecification>")
          .append(element("launchTemplateName", template))
          .append(element("version", version))
          .append("</launchTemplateSpecification><overrides>")
          .append(element("instanceType", type))
          .append(element("subnetId", subnet))
          .append("</overrides></launchTemplateAndOverrides>")
          .append(element("lifecycle", lifecycle))
          .append(element("errorCode", errorCode))
          .append(element("errorMessage", "We currently do not have sufficient "
              + (type == null ? "" : type + " ") + "capacity in the Availability Zone you requested."))
          .append("</item>");
    }
    return items.toString();
  }

  /**
   * "Slow down", as each service says it: EC2 {@code RequestLimitExceeded} (503), SQS
   * {@code ThrottlingException} (400), SSM {@code ThrottlingException} (400), S3 {@code SlowDown} (503).
   */
  static Fault throttle() {
    return call -> switch (call.service()) {
      case "ec2" -> ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.");
      case "sqs" -> jsonError(400, "com.amazonaws.sqs#ThrottlingException", "ThrottlingException;Sender",
          "Rate exceeded", "application/x-amz-json-1.0");
      case "ssm" -> jsonError(400, "ThrottlingException", null, "Rate exceeded", "application/x-amz-json-1.1");
      case "s3" -> s3Error(503, "SlowDown", "Please reduce your request rate.");
      default -> response(429, "text/plain", "Too Many Requests");
    };
  }

  /** A server-side failure with {@code status} (500 or 503), in the service's error format. */
  static Fault serverError(int status) {
    return call -> {
      boolean unavailable = status == 503;
      return switch (call.service()) {
        case "ec2" -> ec2Error(status, unavailable ? "Unavailable" : "InternalError",
            "The server is overloaded or an internal error occurred.");
        case "sqs" -> jsonError(status, "com.amazonaws.sqs#" + (unavailable ? "ServiceUnavailable" : "InternalFailure"),
            (unavailable ? "ServiceUnavailable" : "InternalFailure") + ";Receiver",
            "Service error", "application/x-amz-json-1.0");
        case "ssm" -> jsonError(status, "InternalServerError", null, "Service error", "application/x-amz-json-1.1");
        case "s3" -> s3Error(status, unavailable ? "ServiceUnavailable" : "InternalError", "Service error");
        default -> response(status, "text/plain", "Service error");
      };
    };
  }

  /** Any error code with any status, in the service's format (for permission and validation errors). */
  static Fault error(int status, String code) {
    return call -> switch (call.service()) {
      case "ec2" -> ec2Error(status, code, code);
      case "sqs" -> jsonError(status, "com.amazonaws.sqs#" + code, code + ";Sender", code, "application/x-amz-json-1.0");
      case "ssm" -> jsonError(status, code, null, code, "application/x-amz-json-1.1");
      case "s3" -> s3Error(status, code, code);
      default -> response(status, "text/plain", code);
    };
  }

  /**
   * SSM's 400 {@code ValidationException} with AWS's message, such as the Standard tier's size
   * refusal ({@link AwsRules}).
   */
  static Fault ssmValidation(String message) {
    return call -> jsonError(400, "ValidationException", null, message, "application/x-amz-json-1.1");
  }

  /**
   * EC2's 400 {@code InvalidInstanceID.NotFound} naming the ids, worded as EC2 words it: "The
   * instance ID 'i-…' does not exist" or "The instance IDs 'i-…, i-…' do not exist".
   */
  static Fault instancesNotFound(java.util.Collection<String> ids) {
    String list = String.join(", ", ids);
    String message = ids.size() == 1 ? "The instance ID '" + list + "' does not exist"
        : "The instance IDs '" + list + "' do not exist";
    return call -> ec2Error(400, "InvalidInstanceID.NotFound", message);
  }

  private static FaultProxy.Response ec2Error(int status, String code, String message) {
    return response(status, "text/xml;charset=UTF-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<Response><Errors><Error>" + element("Code", code) + element("Message", message)
        + "</Error></Errors>" + element("RequestID", UUID.randomUUID().toString()) + "</Response>");
  }

  private static FaultProxy.Response jsonError(int status, String type, String queryError,
      String message, String contentType) {
    FaultProxy.Response response = response(status, contentType,
        "{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "\\\"") + "\"}");
    if (queryError != null) {
      response.headers().put("x-amzn-query-error", queryError);
    }
    return response;
  }

  private static FaultProxy.Response s3Error(int status, String code, String message) {
    return response(status, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
        + element("Code", code) + element("Message", message)
        + element("RequestId", UUID.randomUUID().toString().replace("-", "")) + "</Error>");
  }

  private static FaultProxy.Response response(int status, String contentType, String body) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("Content-Type", contentType);
    headers.put("x-amzn-RequestId", UUID.randomUUID().toString());
    return new FaultProxy.Response(status, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  private static String element(String name, String value) {
    if (value == null) {
      return "";
    }
    String escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    return "<" + name + ">" + escaped + "</" + name + ">";
  }
}
