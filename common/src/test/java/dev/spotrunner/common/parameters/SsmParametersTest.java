package dev.spotrunner.common.parameters;

import dev.spotrunner.common.github.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DeleteParameterRequest;
import software.amazon.awssdk.services.ssm.model.DeleteParameterResponse;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;
import software.amazon.awssdk.services.ssm.model.PutParameterResponse;

class SsmParametersTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");

  /** SSM's parameter calls over a map, counting GetParameter calls and checking decryption. */
  private static final class CountingSsm implements SsmClient {
    final Map<String, String> values = new HashMap<>();
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
}
