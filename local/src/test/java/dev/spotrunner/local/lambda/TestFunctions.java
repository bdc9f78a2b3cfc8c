package dev.spotrunner.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Handlers the {@link LambdaProcessTest} runs in child JVMs through the runtime interface client. */
public final class TestFunctions {
  private TestFunctions() {}

  /** Answers with the event's action applied: echo, env lookup, failure, sleep or exit. */
  public static final class Actions implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
      String action = String.valueOf(event.get("action"));
      return switch (action) {
        case "echo" -> Map.of("echo", event.get("value"), "function", context.getFunctionName(),
            "requestId", context.getAwsRequestId());
        case "env" -> Map.of("value", String.valueOf(System.getenv(String.valueOf(event.get("value")))));
        case "fail" -> throw new IllegalStateException("asked to fail");
        case "sleep" -> {
          try {
            Thread.sleep(Long.parseLong(String.valueOf(event.get("value"))));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          yield Map.of("slept", true);
        }
        case "exit" -> {
          Runtime.getRuntime().halt(3);
          yield Map.of();
        }
        default -> throw new IllegalArgumentException("unknown action " + action);
      };
    }
  }

  /** Fails while being constructed, as a handler whose settings are missing does. */
  public static final class BrokenInit implements RequestHandler<Map<String, Object>, String> {
    public BrokenInit() {
      throw new IllegalStateException("invalid settings: ENVIRONMENT is required");
    }

    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
      return "never";
    }
  }
}
