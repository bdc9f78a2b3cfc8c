package dev.spotrunner.webhook.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** Our signatures equal the AWS SDK's own signer's, and the published SigV4 test suite's. */
class SigV4Test {
  private static final AwsV4HttpSigner ORACLE = AwsV4HttpSigner.create();

  /**
   * Signs the request with the SDK's signer and with ours over exactly the headers the SDK signed
   * (it adds x-amz-content-sha256, which SQS and SSM do not need); both Authorization values must
   * be equal. Then checks that our JSON-POST signing is that same computation over our own header
   * set (content-type, host, x-amz-date, x-amz-target, x-amz-security-token).
   */
  private static void assertSignsLikeTheSdk(AwsCredentials credentials, String region, String service,
      URI endpoint, String contentType, String target, byte[] body, Instant time) {
    SdkHttpRequest request = SdkHttpRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(endpoint)
        .putHeader("Content-Type", contentType)
        .putHeader("X-Amz-Target", target)
        .build();
    AwsCredentialsIdentity identity = credentials.sessionToken() == null
        ? AwsCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey())
        : AwsSessionCredentialsIdentity.create(credentials.accessKeyId(), credentials.secretAccessKey(),
            credentials.sessionToken());
    SignedRequest signed = ORACLE.sign(r -> r.identity(identity)
        .request(request)
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(time, ZoneOffset.UTC)));
    String sdk = signed.request().firstMatchingHeader("Authorization").orElseThrow();
    String amzDate = SigV4.amzDate(time);
    assertThat(signed.request().firstMatchingHeader("X-Amz-Date")).contains(amzDate);

    String host = endpoint.getPort() == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
    String path = endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    String signedHeaders = sdk.substring(sdk.indexOf("SignedHeaders=") + 14, sdk.indexOf(", Signature="));
    TreeMap<String, String> sdkHeaders = new TreeMap<>();
    for (String name : signedHeaders.split(";")) {
      sdkHeaders.put(name, name.equals("host") ? host : signed.request().firstMatchingHeader(name).orElseThrow());
    }
    SigV4 signer = new SigV4(region, service);
    assertThat(signer.authorization(credentials, "POST", path, "", sdkHeaders, body, amzDate))
        .as("our canonical form, key and signature over the SDK's headers").isEqualTo(sdk);

    TreeMap<String, String> ourHeaders = new TreeMap<>(sdkHeaders);
    ourHeaders.remove("x-amz-content-sha256");
    assertThat(ourHeaders.keySet()).containsExactlyElementsOf(credentials.sessionToken() == null
        ? List.of("content-type", "host", "x-amz-date", "x-amz-target")
        : List.of("content-type", "host", "x-amz-date", "x-amz-security-token", "x-amz-target"));
    SigV4.Signed ours = signer.signJsonPost(credentials, host, path, contentType, target, body, time);
    assertThat(ours.amzDate()).isEqualTo(amzDate);
    assertThat(ours.securityToken()).isEqualTo(credentials.sessionToken());
    assertThat(ours.authorization())
        .isEqualTo(signer.authorization(credentials, "POST", path, "", ourHeaders, body, amzDate));
  }

  private static String randomKey(Random random, int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < length; i++) {
      key.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return key.toString();
  }

  @ParameterizedTest(name = "{0} {1} {2} token={3}")
  @CsvSource({
      "us-east-1, sqs, https://sqs.us-east-1.amazonaws.com, false, AmazonSQS.SendMessage, application/x-amz-json-1.0, '{\"QueueUrl\":\"q\"}'",
      "eu-west-1, ssm, https://ssm.eu-west-1.amazonaws.com, true, AmazonSSM.GetParameter, application/x-amz-json-1.1, '{\"Name\":\"/a/b\",\"WithDecryption\":true}'",
      "cn-north-1, sqs, https://sqs.cn-north-1.amazonaws.com.cn, true, AmazonSQS.SendMessage, application/x-amz-json-1.0, '{\"MessageBody\":\"größe ✓ 漢字 🚀\"}'",
      "ap-southeast-2, ssm, http://127.0.0.1:4566, false, AmazonSSM.GetParameter, application/x-amz-json-1.1, ''",
      "us-west-2, sqs, http://localhost:9324/prefix/path, true, AmazonSQS.SendMessage, application/x-amz-json-1.0, '{\"a\":\"  spaced   out  \"}'",
  })
  void signsLikeTheSdk(String region, String service, String endpoint, boolean withToken, String target,
      String contentType, String body) {
    Random random = new Random();
    AwsCredentials credentials = new AwsCredentials("AKIA" + randomKey(random, 16).toUpperCase(),
        randomKey(random, 40), withToken ? randomKey(random, 300) : null, null);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Instant time = Instant.ofEpochSecond(1_500_000_000L + random.nextInt(400_000_000));

    assertSignsLikeTheSdk(credentials, region, service, URI.create(endpoint), contentType, target, bytes, time);
  }

  @Test
  void signsManyRandomRequestsLikeTheSdk() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String[] regions = {"us-east-1", "eu-central-1", "cn-northwest-1", "us-gov-west-1", "ap-south-2"};
    for (int i = 0; i < 200; i++) {
      String region = regions[random.nextInt(regions.length)];
      String service = random.nextBoolean() ? "sqs" : "ssm";
      URI endpoint = URI.create(random.nextBoolean()
          ? "https://" + service + "." + region + ".amazonaws.com"
          : "http://127.0.0.1:" + (1024 + random.nextInt(60000)));
      StringBuilder body = new StringBuilder("{\"MessageBody\":\"");
      int length = random.nextInt(300);
      for (int c = 0; c < length; c++) {
        body.appendCodePoint(random.nextInt(10) == 0 ? 0x1F600 + random.nextInt(50) : 0x20 + random.nextInt(0x3000));
      }
      byte[] bytes = body.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
      AwsCredentials credentials = new AwsCredentials("ASIA" + randomKey(random, 16).toUpperCase(),
          randomKey(random, 40), random.nextBoolean() ? randomKey(random, 200) : null, null);
      Instant time = Instant.ofEpochSecond(random.nextLong(0, 4_000_000_000L));
      String target = service.equals("sqs") ? "AmazonSQS.SendMessage" : "AmazonSSM.GetParameter";
      String contentType = service.equals("sqs") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";

      try {
        assertSignsLikeTheSdk(credentials, region, service, endpoint, contentType, target, bytes, time);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ", case " + i + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * The "post-vanilla" vector of the AWS Signature Version 4 test suite (aws-sig-v4-test-suite,
   * linked from https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
   * POST / to example.amazonaws.com, empty body, signed at 20150830T123600Z with the suite's
   * example key for us-east-1 and service "service".
   */
  @Test
  void matchesThePublishedPostVanillaVector() {
    AwsCredentials suite = AwsCredentials.of("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    TreeMap<String, String> headers = new TreeMap<>();
    headers.put("host", "example.amazonaws.com");
    headers.put("x-amz-date", "20150830T123600Z");
    SigV4 signer = new SigV4("us-east-1", "service");

    String canonical = SigV4.canonicalRequest("POST", "/", "", headers, new byte[0]);
    assertThat(canonical).isEqualTo("POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
        + "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(SigV4.stringToSign("20150830T123600Z", signer.scope("20150830"), canonical))
        .isEqualTo("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            + "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87");
    assertThat(signer.authorization(suite, "POST", "/", "", headers, new byte[0], "20150830T123600Z"))
        .isEqualTo("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, "
            + "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  }

  @Test
  void derivesTheSigningKeyOncePerDayAndSecret() {
    SigV4 signer = new SigV4("us-east-1", "sqs");
    String secret = UUID.randomUUID().toString();

    byte[] first = signer.signingKey("20260101", secret);
    assertThat(signer.signingKey("20260101", secret)).as("cached").isSameAs(first);
    assertThat(signer.signingKey("20260102", secret)).as("a new day").isNotEqualTo(first);
    byte[] rotated = signer.signingKey("20260102", secret + "x");
    assertThat(rotated).as("a new secret").isNotEqualTo(signer.signingKey("20260102", secret));
  }

  @Test
  void formatsTheAmzDateInUtc() {
    assertThat(SigV4.amzDate(Instant.parse("2015-08-30T12:36:00Z"))).isEqualTo("20150830T123600Z");
    assertThat(SigV4.amzDate(Instant.parse("1999-12-31T23:59:59.999Z"))).isEqualTo("19991231T235959Z");
  }

  @Test
  void credentialsNeverShowTheirSecrets() {
    AwsCredentials credentials = new AwsCredentials("AKIAEXAMPLE", UUID.randomUUID().toString(),
        UUID.randomUUID().toString(), Instant.parse("2030-01-01T00:00:00Z"));

    assertThat(credentials.toString()).contains("AKIAEXAMPLE")
        .doesNotContain(credentials.secretAccessKey()).doesNotContain(credentials.sessionToken());
  }
}
