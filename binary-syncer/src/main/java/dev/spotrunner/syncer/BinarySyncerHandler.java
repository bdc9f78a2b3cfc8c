package dev.spotrunner.syncer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.spotrunner.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The binary-syncer Lambda: an EventBridge schedule or a manual {@code aws lambda invoke} (an empty
 * or {@code {}} payload) runs one sync. The event's content is not needed, so it is read as a stream
 * and ignored; the answer is the summary as JSON. When any platform failed the invocation fails
 * after all platforms were tried.
 */
public final class BinarySyncerHandler implements RequestStreamHandler {
  private final BinarySyncer syncer;
  private final Consumer<String> metrics;

  public BinarySyncerHandler() {
    this(Wiring.syncer(SyncerSettings.fromEnv(System.getenv())));
  }

  BinarySyncerHandler(BinarySyncer syncer) {
    this(syncer, System.out::println);
  }

  /** {@code metrics} receives the EMF line of {@link SyncMetrics}. */
  BinarySyncerHandler(BinarySyncer syncer, Consumer<String> metrics) {
    this.syncer = syncer;
    this.metrics = metrics;
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    dev.spotrunner.common.log.Log.request(context);
    input.transferTo(OutputStream.nullOutputStream());
    SyncSummary summary = syncer.sync();
    SyncMetrics.write(summary, Clock.systemUTC(), metrics);
    if (summary.failed()) {
      throw new SyncFailed(summary);
    }
    output.write(Json.write(summary.toMap()).getBytes(StandardCharsets.UTF_8));
  }
}
