package dev.spotrunner.common.parameters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.testing.aws.AwsEmulatorExtension;
import dev.spotrunner.common.testing.aws.Fault;
import dev.spotrunner.common.testing.aws.FaultProxy;
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
import software.amazon.awssdk.services.ssm.model.ParameterType;

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
}
