package dev.spotrunner.local.lambda;

/**
 * What one invocation returned: the response body, or an error as the Runtime API reports it
 * ({@code errorType} from the body or the {@code Lambda-Runtime-Function-Error-Type} header).
 */
public record InvocationResult(String requestId, boolean failed, String body, String errorType) {
  public static InvocationResult success(String requestId, String body) {
    return new InvocationResult(requestId, false, body, null);
  }

  public static InvocationResult failure(String requestId, String errorType, String body) {
    return new InvocationResult(requestId, true, body, errorType);
  }
}
