package dev.spotrunner.testkit.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.aws.AwsClients;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** The standalone server the local stack uses: its own process, reset, and stop. */
class MotoServerIT {

  @Test
  void startsAnswersResetsAndStops() throws Exception {
    MotoServer moto = MotoServer.start();
    try (AwsClients aws = AwsEmulatorExtension.clients(moto.endpoint(), 1)) {
      assertTrue(moto.isRunning());
      assertEquals("127.0.0.1", moto.endpoint().getHost());
      aws.sqs().createQueue(r -> r.queueName("before-reset"));

      moto.reset();

      assertThrows(QueueDoesNotExistException.class,
          () -> aws.sqs().getQueueUrl(r -> r.queueName("before-reset")));
    } finally {
      moto.close();
    }
    assertFalse(moto.isRunning());
    assertThrows(ConnectException.class,
        () -> new Socket(moto.endpoint().getHost(), moto.endpoint().getPort()).close());
  }
}
