package dev.spotrunner.common.parameters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.aws.Fault;
import dev.spotrunner.testkit.aws.FaultProxy;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.SsmException;

@ExtendWith(AwsEmulatorExtension.class)
class SsmParametersIT {
  private static SsmClient ssm;
  private static FaultProxy proxy;
  private static AwsClients throughProxy;
  private String prefix;

  @BeforeAll
  static void start(SsmClient client) {
    ssm = client;
    proxy = FaultProxy.start(AwsEmulatorExtension.endpoint());
    throughProxy = AwsEmulatorExtension.clients(proxy.endpoint(), 1);
  }

  @AfterAll
  static void stop() {
    throughProxy.close();
    proxy.close();
  }

  @BeforeEach
  void newPrefix() {
    proxy.reset();
    prefix = "/test-" + System.nanoTime();
  }

  @Test
  void storesASecureStringAndReadsItDecrypted() {
    Parameters parameters = new SsmParameters(ssm, Clock.systemUTC());
    String secret = "jit-" + UUID.randomUUID();

    parameters.putSecure(prefix + "/runners/linux/i-0abc", secret);

    assertEquals(ParameterType.SECURE_STRING,
        ssm.getParameter(r -> r.name(prefix + "/runners/linux/i-0abc")).parameter().type());
    assertEquals(Optional.of(secret),
        new SsmParameters(ssm, Clock.systemUTC()).get(prefix + "/runners/linux/i-0abc"));
  }

  @Test
  void overwritesAnExistingParameter() {
    Parameters parameters = new SsmParameters(ssm, Clock.systemUTC());
    parameters.putSecure(prefix + "/key", "first");

    parameters.putSecure(prefix + "/key", "second");

    assertEquals(Optional.of("second"), new SsmParameters(ssm, Clock.systemUTC()).get(prefix + "/key"));
  }

  @Test
  void aMissingParameterIsEmpty() {
    assertEquals(Optional.empty(), new SsmParameters(ssm, Clock.systemUTC()).get(prefix + "/missing"));
  }

  @Test
  void deletesAndIgnoresAMissingParameter() {
    Parameters parameters = new SsmParameters(ssm, Clock.systemUTC());
    parameters.putSecure(prefix + "/gone", "value");

    parameters.delete(prefix + "/gone");
    parameters.delete(prefix + "/gone");

    assertEquals(Optional.empty(), parameters.get(prefix + "/gone"));
  }

  @Test
  void listsEveryNameUnderAPathAcrossPages() {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 23; i++) {
      String name = prefix + "/runners/" + (i % 3 == 0 ? "arm" : "x64") + "/i-" + String.format("%017x", i);
      ssm.putParameter(r -> r.name(name).value("v").type(ParameterType.SECURE_STRING));
      expected.add(name);
    }
    ssm.putParameter(r -> r.name(prefix + "-elsewhere/x").value("v").type(ParameterType.STRING));
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());

    Set<String> names = new HashSet<>(parameters.namesUnder(prefix + "/runners"));

    assertEquals(expected, names);
    assertTrue(proxy.calls("GetParametersByPath") >= 3,
        "SSM pages by at most 10, saw " + proxy.calls("GetParametersByPath") + " calls");
  }

  @Test
  void throttlingIsATransientFailureThatNamesNoValue() {
    proxy.failNext(1, "PutParameter", Fault.throttle());
    proxy.failNext(1, "GetParameter", Fault.serverError(500));
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());
    String secret = "ghs_" + UUID.randomUUID().toString().replace("-", "");

    TransientFailure put = assertThrows(TransientFailure.class,
        () -> parameters.putSecure(prefix + "/key", secret));
    assertThrows(TransientFailure.class, () -> parameters.get(prefix + "/key"));

    assertTrue(put.getMessage().contains("ThrottlingException"), put.getMessage());
    assertFalse(put.getMessage().contains(secret));
    assertEquals(null, put.getCause(), "the SDK exception is dropped for calls carrying a secret");
  }

  @Test
  void accessDeniedIsAPermanentFailure() {
    proxy.failNext(1, "GetParameter", Fault.error(400, "AccessDeniedException"));
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());

    assertThrows(PermanentFailure.class, () -> parameters.get(prefix + "/key"));
  }

  /** A JIT config of today's size: base64 of a JSON document, over 4 KB. */
  private static String jitConfig(int characters) {
    StringBuilder value = new StringBuilder("eyJ");
    while (value.length() < characters) {
      value.append(UUID.randomUUID().toString().replace("-", ""));
    }
    return value.substring(0, characters);
  }

  private static ParameterTier storedTier(String name) {
    return ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name").values(name)))
        .parameters().get(0).tier();
  }

  @Test
  void theProxyRefusesAFiveKilobyteStandardValueAsAwsDoes() {
    String config = jitConfig(5 * 1024);

    SsmException refused = assertThrows(SsmException.class, () -> throughProxy.ssm().putParameter(
        r -> r.name(prefix + "/standard").value(config).type(ParameterType.SECURE_STRING)));

    assertEquals(400, refused.statusCode());
    assertEquals("ValidationException", refused.awsErrorDetails().errorCode());
    assertTrue(refused.awsErrorDetails().errorMessage().startsWith(
        "Standard tier parameters support a maximum parameter value of 4096 characters."),
        refused.awsErrorDetails().errorMessage());
  }

  @Test
  void storesAFiveKilobyteJitConfigAsAnAdvancedParameterThroughTheStrictProxy() {
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());
    String config = jitConfig(5 * 1024);

    parameters.putSecure(prefix + "/runners/linux/i-0abc", config);

    assertEquals(Optional.of(config), parameters.get(prefix + "/runners/linux/i-0abc"));
    assertEquals(ParameterTier.ADVANCED, storedTier(prefix + "/runners/linux/i-0abc"));
    assertTrue(proxy.seen("PutParameter").get(0).bodyText().contains("\"Tier\":\"Advanced\""));
  }

  @Test
  void keepsAParameterAdvancedWhenItsValueShrinks() {
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());
    parameters.putSecure(prefix + "/owners", jitConfig(4500));

    parameters.putSecure(prefix + "/owners", "acme,widgets");

    assertEquals(Optional.of("acme,widgets"), new SsmParameters(ssm, Clock.systemUTC())
        .get(prefix + "/owners"));
    assertEquals(ParameterTier.ADVANCED, storedTier(prefix + "/owners"));
    assertEquals(3, proxy.calls("PutParameter"), "Advanced, Standard refused, Advanced again");
  }

  @Test
  void aValueTooLargeForAnyTierIsARefusedWriteNotAPermanentFailure() {
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());

    ParameterRefused refused = assertThrows(ParameterRefused.class,
        () -> parameters.putSecure(prefix + "/huge", jitConfig(9000)));

    assertTrue(refused instanceof TransientFailure);
    assertEquals(0, proxy.calls("PutParameter"));
  }

  private static final String INSTANCE_TAG = "spotrunner:instance";
  private static final String KEY = "arn:aws:kms:us-east-1:123456789012:key/"
      + "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

  private static ParameterOwner instance(String id) {
    return new ParameterOwner(INSTANCE_TAG, "arn:aws:ec2:us-east-1:123456789012:instance/" + id,
        KEY);
  }

  private static java.util.Map<String, String> tags(String name) {
    java.util.Map<String, String> tags = new java.util.HashMap<>();
    ssm.listTagsForResource(r -> r.resourceType("Parameter").resourceId(name)).tagList()
        .forEach(tag -> tags.put(tag.key(), tag.value()));
    return tags;
  }

  @Test
  void createsAnOwnersParameterWithItsInstanceTagAndKeyWithoutOverwriting() {
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());
    String name = prefix + "/runners/linux/i-0abc";
    String secret = "jit-" + UUID.randomUUID();

    parameters.putSecure(name, secret, instance("i-0abc"));

    assertEquals(java.util.Map.of(INSTANCE_TAG, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"),
        tags(name));
    assertEquals(KEY, ssm.describeParameters(r -> r.parameterFilters(f -> f.key("Name")
        .values(name))).parameters().get(0).keyId());
    assertEquals(Optional.of(secret), new SsmParameters(ssm, Clock.systemUTC()).get(name));
    String sent = proxy.seen("PutParameter").get(0).bodyText();
    assertTrue(sent.contains("\"Overwrite\":false") || sent.contains("\"Overwrite\": false"), sent);
  }

  @Test
  void aRepeatedWriteForTheSameInstanceReplacesTheValueAndKeepsItsTag() {
    Parameters parameters = new SsmParameters(ssm, Clock.systemUTC());
    String name = prefix + "/runners/linux/i-0abc";
    parameters.putSecure(name, "first-" + UUID.randomUUID(), instance("i-0abc"));
    String second = "second-" + UUID.randomUUID();

    parameters.putSecure(name, second, instance("i-0abc"));

    assertEquals(Optional.of(second), new SsmParameters(ssm, Clock.systemUTC()).get(name));
    assertEquals("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", tags(name).get(INSTANCE_TAG));
  }

  @Test
  void aParameterOfAnotherInstanceIsLeftAloneAndTheWriteIsATransientFailure() {
    Parameters parameters = new SsmParameters(ssm, Clock.systemUTC());
    String name = prefix + "/runners/linux/i-0abc";
    String theirs = "theirs-" + UUID.randomUUID();
    parameters.putSecure(name, theirs, instance("i-0def"));
    String ours = "ours-" + UUID.randomUUID();

    ParameterRefused refused = assertThrows(ParameterRefused.class,
        () -> parameters.putSecure(name, ours, instance("i-0abc")));

    assertEquals(Parameters.NOT_OURS, refused.code());
    assertInstanceOfTransient(refused);
    assertTrue(refused.getMessage().contains("instance/i-0def"), refused.getMessage());
    assertFalse(refused.getMessage().contains(ours), "the value is never in a message");
    assertEquals(Optional.of(theirs), new SsmParameters(ssm, Clock.systemUTC()).get(name));
    assertEquals("arn:aws:ec2:us-east-1:123456789012:instance/i-0def", tags(name).get(INSTANCE_TAG));
  }

  @Test
  void anUntaggedParameterIsNotTakenOver() {
    String name = prefix + "/runners/linux/i-0abc";
    new SsmParameters(ssm, Clock.systemUTC()).putSecure(name, "old");

    ParameterRefused refused = assertThrows(ParameterRefused.class,
        () -> new SsmParameters(ssm, Clock.systemUTC()).putSecure(name, "new", instance("i-0abc")));

    assertTrue(refused.getMessage().contains("no " + INSTANCE_TAG + " tag"), refused.getMessage());
    assertEquals(Optional.of("old"), new SsmParameters(ssm, Clock.systemUTC()).get(name));
  }

  @Test
  void aLongConfigForAnInstanceIsCreatedAdvancedWithItsTag() {
    proxy.enforceParameterTiers(true);
    Parameters parameters = new SsmParameters(throughProxy.ssm(), Clock.systemUTC());
    String name = prefix + "/runners/linux/i-0abc";
    String config = "eyJ" + "A".repeat(5 * 1024);

    parameters.putSecure(name, config, instance("i-0abc"));
    parameters.putSecure(name, "short", instance("i-0abc"));

    assertEquals(ParameterTier.ADVANCED, ssm.describeParameters(r -> r.parameterFilters(f -> f
        .key("Name").values(name))).parameters().get(0).tier());
    assertEquals(Optional.of("short"), new SsmParameters(ssm, Clock.systemUTC()).get(name));
    assertEquals("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", tags(name).get(INSTANCE_TAG));
  }

  private static void assertInstanceOfTransient(RuntimeException failure) {
    assertTrue(failure instanceof TransientFailure, failure.getClass().getName());
  }
}
