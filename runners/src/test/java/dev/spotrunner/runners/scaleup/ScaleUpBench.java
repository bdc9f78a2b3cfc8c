package dev.spotrunner.runners.scaleup;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.spotrunner.common.aws.AwsClients;
import java.time.Clock;

/** Opens the package-private handler constructor to the benchmark. */
public final class ScaleUpBench {
  private ScaleUpBench() {}

  /** A scale-up handler wired to the given AWS clients, as the Lambda wires itself. */
  public interface Handler {
    SQSBatchResponse handle(SQSEvent event);
  }

  public static Handler handler(ScaleUpSettings settings, AwsClients aws) {
    ScaleUpHandler handler = new ScaleUpHandler(Wiring.scaleUp(settings, aws, Clock.systemUTC()));
    return event -> handler.handleRequest(event, null);
  }
}
