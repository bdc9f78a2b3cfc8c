package dev.spotrunner.common.parameters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.testkit.fakes.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DeleteParameterRequest;
import software.amazon.awssdk.services.ssm.model.DeleteParameterResponse;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;
import software.amazon.awssdk.services.ssm.model.SsmException;

class SsmParametersTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  /**
   * SSM's parameter calls over a map, counting GetParameter calls and checking decryption. Puts
   * follow AWS's tier rules: a Standard (or tier-less) value over 4,096 characters and a Standard
   * write to an Advanced parameter are refused with ValidationException.
   */
  private static final class CountingSsm implements SsmClient {
    final Map<String, String> values = new HashMap<>();
    final Map<String, ParameterTier> tiers = new HashMap<>();
    final List<ParameterTier> putTiers = new ArrayList<>();
    AwsServiceException refuseEveryPut;
    int gets;

    @Override
    public GetParameterResponse getParameter(GetParameterRequest request) {
      gets++;
      assertEquals(Boolean.TRUE, request.withDecryption(), "SecureStrings are read decrypted");
      String value = values.get(request.name());
      if (value == null) {
        throw ParameterNotFoundException.builder().message("not found").build();
      }
      return GetParameterResponse.builder()
          .parameter(Parameter.builder().name(request.name()).value(value).build()).build();
    }

    @Override
    public PutParameterResponse putParameter(PutParameterRequest request) {
      putTiers.add(request.tier());
      if (refuseEveryPut != null) {
        throw refuseEveryPut;
      }
      boolean standard = request.tier() == null || request.tier() == ParameterTier.STANDARD;
      if (standard && request.value().length() > 4096) {
        throw validation("Standard tier parameters support a maximum parameter value of 4096 "
            + "characters. To create a larger parameter value, upgrade the parameter to use the "
            + "advanced-parameter tier.");
      }
      if (standard && tiers.get(request.name()) == ParameterTier.ADVANCED) {
        throw validation("This parameter uses the advanced-parameter tier. You can't downgrade a "
            + "parameter from the advanced-parameter tier to the standard-parameter tier.");
      }
      tiers.put(request.name(), standard ? ParameterTier.STANDARD : request.tier());
      values.put(request.name(), request.value());
      return PutParameterResponse.builder().version(1L).build();
    }

    @Override
    public DeleteParameterResponse deleteParameter(DeleteParameterRequest request) {
      if (values.remove(request.name()) == null) {
        throw ParameterNotFoundException.builder().message("not found").build();
      }
      return DeleteParameterResponse.builder().build();
    }

    static AwsServiceException validation(String message) {
      return SsmException.builder().statusCode(400).message(message)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationException")
              .errorMessage(message).build())
          .build();
    }

    @Override
    public String serviceName() {
      return "ssm";
    }

    @Override
    public void close() {}
  }

  private final ManualClock clock = new ManualClock(START);
  private final CountingSsm ssm = new CountingSsm();
  private final SsmParameters parameters = new SsmParameters(ssm, clock, Duration.ofMinutes(5));

  @Test
  void servesAValueFromMemoryUntilItsTtlEnds() {
    ssm.values.put("/app/key", "v1");

    assertEquals(Optional.of("v1"), parameters.get("/app/key"));
    ssm.values.put("/app/key", "v2");
    clock.advance(Duration.ofMinutes(4).plusSeconds(59));
    assertEquals(Optional.of("v1"), parameters.get("/app/key"));
    assertEquals(1, ssm.gets);

    clock.advance(Duration.ofSeconds(1));
    assertEquals(Optional.of("v2"), parameters.get("/app/key"));
    assertEquals(2, ssm.gets);
  }

  @Test
  void doesNotCacheAMissingParameter() {
    assertEquals(Optional.empty(), parameters.get("/app/later"));
    ssm.values.put("/app/later", "now");

    assertEquals(Optional.of("now"), parameters.get("/app/later"));
    assertEquals(2, ssm.gets);
  }

  @Test
  void aPutIsNotKeptInMemoryAndReplacesAStaleCachedValue() {
    ssm.values.put("/app/key", "v1");
    assertEquals(Optional.of("v1"), parameters.get("/app/key"));

    parameters.putSecure("/app/key", "v2");

    assertEquals(Optional.of("v2"), parameters.get("/app/key"));
    assertEquals(2, ssm.gets);
  }

  @Test
  void aDeleteForgetsTheCachedValue() {
    ssm.values.put("/app/key", "v1");
    parameters.get("/app/key");

    parameters.delete("/app/key");
    parameters.delete("/app/key");

    assertEquals(Optional.empty(), parameters.get("/app/key"));
  }

  /** A JIT config as GitHub issues them since mid-2025: longer than 4 KB, base64. */
  private static String jitConfig(int characters) {
    return "eyJ" + "A".repeat(characters - 3);
  }

  @Test
  void storesAJitConfigLongerThanFourKilobytesAsAnAdvancedParameter() {
    String config = jitConfig(5 * 1024);

    parameters.putSecure("/runners/linux/i-0abc", config);

    assertEquals(config, ssm.values.get("/runners/linux/i-0abc"));
    assertEquals(List.of(ParameterTier.ADVANCED), ssm.putTiers);
  }

  @Test
  void storesAValueThatFitsTheStandardTierThereForFree() {
    parameters.putSecure("/runners/linux/owners", "acme,widgets");
    parameters.putSecure("/runners/linux/i-0abc", jitConfig(4096));

    assertEquals(List.of(ParameterTier.STANDARD, ParameterTier.STANDARD), ssm.putTiers);
  }

  @Test
  void anAdvancedParameterOverwrittenWithAShortValueStaysAdvanced() {
    parameters.putSecure("/runners/linux/owners", jitConfig(5000));

    parameters.putSecure("/runners/linux/owners", "acme");

    assertEquals("acme", ssm.values.get("/runners/linux/owners"));
    assertEquals(List.of(ParameterTier.ADVANCED, ParameterTier.STANDARD, ParameterTier.ADVANCED),
        ssm.putTiers, "the refused downgrade is repeated once as Advanced");
  }

  @Test
  void aValueNoTierHoldsIsRefusedWithoutCallingSsm() {
    String config = jitConfig(8193);

    ParameterRefused refused = assertThrows(ParameterRefused.class,
        () -> parameters.putSecure("/runners/linux/i-0abc", config));

    assertEquals(SsmParameters.VALUE_TOO_LARGE, refused.code());
    assertEquals(List.of(), ssm.putTiers);
    assertTrue(refused.getMessage().contains("8193"), refused.getMessage());
  }

  @Test
  void aRefusedWriteIsNeverAPermanentFailureAndNamesNoValue() {
    String secret = jitConfig(300);
    ssm.refuseEveryPut = CountingSsm.validation("Value " + secret + " is not valid");

    TransientFailure failure = assertThrows(TransientFailure.class,
        () -> parameters.putSecure("/runners/linux/i-0abc", secret));

    ParameterRefused refused = assertInstanceOf(ParameterRefused.class, failure);
    assertEquals("ValidationException", refused.code());
    assertEquals("/runners/linux/i-0abc", refused.parameter());
    assertFalse(failure.getMessage().contains(secret), failure.getMessage());
    assertEquals(null, failure.getCause());
    assertEquals(2, ssm.putTiers.size(), "Standard refused, then Advanced once, then given up");
  }
}
