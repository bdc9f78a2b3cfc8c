package dev.spotrunner.runners.scaleup;

import static dev.spotrunner.common.log.Log.entry;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.job.JobStart;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.queue.SqsJobQueue;
import dev.spotrunner.runners.launch.InvokedFunction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.crac.Core;
import org.crac.Resource;

/**
 * The scale-up Lambda: an SQS batch in, the messages to retry out (ReportBatchItemFailures). An
 * unexpected exception anywhere returns every message of the batch, so nothing is deleted unseen.
 */
public final class ScaleUpHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, Resource {
  private static final Log log = Log.of(ScaleUpHandler.class);

  private final ScaleUp scaleUp;
  private final JobStarts starts;

  public ScaleUpHandler() {
    this(ScaleUpSettings.fromEnv(System.getenv()), AwsClients.fromEnv(System.getenv()));
    // The global context holds resources weakly; this handler lives as long as the container.
    Core.getGlobalContext().register(this);
  }

  private ScaleUpHandler(ScaleUpSettings settings, AwsClients aws) {
    this(Wiring.scaleUp(settings, aws, Clock.systemUTC()),
        new JobStarts(settings.pool(), new Ec2RunnerFleet(aws.ec2()), new Rescues(settings.pool(),
            new SqsJobQueue(aws.sqs()), settings.queueUrl(), Clock.systemUTC())::ask));
  }

  /** Before a SnapStart snapshot: the hot path once over canned AWS answers ({@link Priming}). */
  @Override
  public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
    Priming.Result primed = Priming.run(Priming.ROUNDS);
    log.info("primed", entry("batches", primed.batches()), entry("launched", primed.launched()));
  }

  @Override
  public void afterRestore(org.crac.Context<? extends Resource> context) {
    // nothing to renew: the GitHub App key and tokens are read on first use, after the restore
  }

  /** A handler for jobs and asks only (tests): a job start fails the batch, nothing is lost. */
  ScaleUpHandler(ScaleUp scaleUp) {
    this(scaleUp, null);
  }

  ScaleUpHandler(ScaleUp scaleUp, JobStarts starts) {
    this.scaleUp = scaleUp;
    this.starts = starts;
  }

  @Override
  public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
    Log.request(context);
    InvokedFunction.record(context);
    List<SQSEvent.SQSMessage> records =
        event == null || event.getRecords() == null ? List.of() : event.getRecords();
    try {
      // the webhook's job starts only tag instances; everything else is scale-up's (jobs, asks)
      List<JobStarts.Received> started = records.stream().filter(ScaleUpHandler::isStart)
          .map(ScaleUpHandler::start).toList();
      if (!started.isEmpty() && starts == null) {
        throw new IllegalStateException("this handler was built without job starts");
      }
      List<String> retry = new ArrayList<>(started.isEmpty() ? List.of() : starts.handle(started));
      List<QueuedMessage> messages = records.stream().filter(m -> !isStart(m))
          .map(ScaleUpHandler::message).toList();
      if (!messages.isEmpty()) {
        retry.addAll(scaleUp.run(messages).retry());
      }
      return response(retry);
    } catch (RuntimeException e) {
      log.error("batch failed, every message back to the queue", entry("messages", records.size()),
          entry("failure", Log.error(e).value()));
      return response(records.stream().map(SQSEvent.SQSMessage::getMessageId).toList());
    } finally {
      dev.spotrunner.common.github.PointsMeter.flushStdout();
    }
  }

  private static boolean isStart(SQSEvent.SQSMessage message) {
    return JobStart.KIND.equals(attribute(message, JobStart.KIND_ATTRIBUTE));
  }

  private static JobStarts.Received start(SQSEvent.SQSMessage message) {
    String count = receiveCount(message);
    int receives;
    try {
      receives = count == null ? 1 : Integer.parseInt(count.trim());
    } catch (NumberFormatException e) {
      receives = 1;
    }
    return new JobStarts.Received(message.getMessageId(), message.getBody(), receives);
  }

  private static String receiveCount(SQSEvent.SQSMessage message) {
    return message.getAttributes() == null ? null
        : message.getAttributes().get("ApproximateReceiveCount");
  }

  private static QueuedMessage message(SQSEvent.SQSMessage message) {
    String receiveCount = receiveCount(message);
    return QueuedMessage.parse(message.getMessageId(), message.getBody(), receiveCount,
        attribute(message, JobRechecks.ATTRIBUTE), attribute(message, JobReturns.WAIT_ATTRIBUTE),
        attribute(message, WarmRequest.KIND_ATTRIBUTE), message.getReceiptHandle());
  }

  private static String attribute(SQSEvent.SQSMessage message, String name) {
    SQSEvent.MessageAttribute value = message.getMessageAttributes() == null ? null
        : message.getMessageAttributes().get(name);
    return value == null ? null : value.getStringValue();
  }

  private static SQSBatchResponse response(List<String> failedMessageIds) {
    return SQSBatchResponse.builder()
        .withBatchItemFailures(failedMessageIds.stream().distinct()
            .map(id -> SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(id).build())
            .toList())
        .build();
  }
}
