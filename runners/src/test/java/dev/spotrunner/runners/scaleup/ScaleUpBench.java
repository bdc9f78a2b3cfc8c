package dev.spotrunner.runners.scaleup;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

/** Opens the package-private handler constructor to the benchmark. */
public final class ScaleUpBench {
  private ScaleUpBench() {}

  /** A scale-up handler as the Lambda runtime calls it. */
  public interface Handler {
    SQSBatchResponse handle(SQSEvent event);
  }

  public static Handler handler(ScaleUp scaleUp) {
    ScaleUpHandler handler = new ScaleUpHandler(scaleUp);
    return event -> handler.handleRequest(event, null);
  }
}
