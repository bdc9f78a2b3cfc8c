package dev.spotrunner.runners.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.pool.PoolSettings;
import dev.spotrunner.runners.scaleup.MotoWorld;
import dev.spotrunner.testkit.aws.AwsEmulatorExtension;
import dev.spotrunner.testkit.fakes.FakeGitHub;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;

/**
 * Runner configs as scale-up stores them on moto: each one tagged with the ARN of the instance EC2
 * launched for it and encrypted with the configured key. moto cannot enforce the runner role's
 * condition on that tag; terraform/test/runner_config_policy.py checks the policy side.
 */
@ExtendWith(AwsEmulatorExtension.class)
class RunnerConfigOwnerIT {
  private static final String FUNCTION =
      "arn:aws:lambda:us-east-1:123456789012:function:own-linux-scale-up";
  private static final String KEY =
      "arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
  private static String subnet;

  @BeforeAll
  static void world(Ec2Client ec2) {
    subnet = MotoWorld.subnet(ec2);
    MotoWorld.launchTemplate(ec2, "own-linux");
  }

  @Test
  void eachConfigIsTaggedWithItsInstancesArnAndEncryptedWithTheKey(AwsClients aws, SsmClient ssm) {
    PoolSettings pool = PoolSettings.fromEnv(Map.of(
        "ENVIRONMENT", "own", "POOL_NAME", "linux", "POOL_LABELS", "self-hosted,linux",
        "LAUNCH_TEMPLATE_NAME", "own-linux", "INSTANCE_TYPES", "m7a.large", "SUBNET_IDS", subnet,
        "GITHUB_APP_ID_PARAM", "/own/app/id", "GITHUB_APP_KEY_PARAM", "/own/app/key"));
    FakeGitHub github = new FakeGitHub(Clock.systemUTC());
    RunnerLauncher launcher = new RunnerLauncher(pool, new Ec2RunnerFleet(aws.ec2()), github,
        new SsmParameters(aws.ssm(), Clock.systemUTC()),
        new RunnerConfigs(pool, github, Clock.systemUTC(), () -> Optional.of(FUNCTION), KEY));

    LaunchResult result = launcher.launch(new LaunchRequest(RunnerOwner.org("acme"),
        "Organization", List.of(RunnerSlot.warm(), RunnerSlot.warm()), "own-1"));

    assertEquals(List.of(), result.failed());
    assertEquals(2, result.launched().size());
    for (LaunchResult.Launched launched : result.launched()) {
      String name = pool.configParameter(launched.instance().value());
      Map<String, String> tags = new java.util.HashMap<>();
      ssm.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER)
          .resourceId(name)).tagList().forEach(tag -> tags.put(tag.key(), tag.value()));
      assertEquals(Map.of(RunnerConfigs.INSTANCE_TAG,
          "arn:aws:ec2:us-east-1:123456789012:instance/" + launched.instance().value()), tags);
      ParameterMetadata metadata = ssm.describeParameters(r -> r.parameterFilters(f -> f
          .key("Name").values(name))).parameters().get(0);
      assertEquals(KEY, metadata.keyId());
      Map<?, ?> config = Json.read(ssm.getParameter(r -> r.name(name).withDecryption(true))
          .parameter().value(), Map.class);
      assertEquals("jit", config.get("mode"));
    }
  }
}
