package dev.spotrunner.webhook.aws;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client's share of the webhook's SnapStart priming: builds, digests and signs SendMessage
 * requests and reads an answer, with made-up credentials and no network. Nothing of it is kept.
 */
public final class AwsPriming {
  private static final AwsCredentials NOBODY = AwsCredentials.of("AKIDPRIMINGONLY", "priming-only");

  private AwsPriming() {}

  /** Returns the number of requests signed (so a test can see it ran). */
  public static int run(int rounds) {
    SigV4 signer = new SigV4("us-east-1", "sqs");
    int signed = 0;
    for (int round = 0; round < rounds; round++) {
      TreeMap<String, String> attributes = new TreeMap<>(Map.of(
          "deliveryId", "priming-" + round, "jobId", Integer.toString(round)));
      String body = "{\"jobId\":" + round + ",\"pool\":\"priming\"}";
      byte[] request = LiteSqsJobQueue.request("https://sqs.us-east-1.amazonaws.com/0/priming",
          body, 0, attributes);
      SigV4.Signed signature = signer.signJsonPost(NOBODY, "sqs.us-east-1.amazonaws.com", "/",
          "application/x-amz-json-1.0", "AmazonSQS.SendMessage", request,
          Instant.ofEpochSecond(1_700_000_000L + round));
      String answer = "{\"MessageId\":\"priming-" + round + "\",\"MD5OfMessageBody\":\""
          + LiteSqsJobQueue.md5Hex(body.getBytes(StandardCharsets.UTF_8))
          + "\",\"MD5OfMessageAttributes\":\"" + LiteSqsJobQueue.attributesMd5(attributes) + "\"}";
      try {
        if (!AwsJson.topLevelScalars(answer.getBytes(StandardCharsets.UTF_8)).isEmpty()
            && signature.authorization().startsWith(SigV4.ALGORITHM)) {
          signed++;
        }
      } catch (IOException e) {
        throw new IllegalStateException("priming answer unreadable", e);
      }
    }
    return signed;
  }
}
