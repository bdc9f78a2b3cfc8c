package dev.spotrunner.common.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverrides;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateAndOverridesResponse;

/** Where each instance of a launch went, as CreateFleet's instant answer says: the launch metrics' type and zone. */
class Ec2RunnerFleetPlacementTest {
  private static final class AnsweringEc2 implements Ec2Client {
    private final CreateFleetResponse answer;

    AnsweringEc2(CreateFleetResponse answer) {
      this.answer = answer;
    }

    @Override
    public CreateFleetResponse createFleet(CreateFleetRequest request) {
      return answer;
    }

    @Override
    public String serviceName() {
      return "ec2";
    }

    @Override
    public void close() {}
  }

  private static LaunchOutcome launch(CreateFleetInstance... instances) {
    Ec2RunnerFleet fleet = new Ec2RunnerFleet(new AnsweringEc2(
        CreateFleetResponse.builder().instances(instances).build()));
    return fleet.launch(new LaunchSpec("template", List.of("m7i.large", "m6a.large"), List.of("subnet-1"), 3,
        CapacityType.SPOT, null, null, Map.of(), "token"));
  }

  @Test
  void eachInstanceHasTheTypeAndZoneOfTheAnswerItCameIn() {
    LaunchOutcome outcome = launch(
        CreateFleetInstance.builder().instanceIds("i-0000000000000000a", "i-0000000000000000b")
            .instanceType("m7i.large").availabilityZone("eu-west-1a").build(),
        CreateFleetInstance.builder().instanceIds("i-0000000000000000c")
            .instanceType("m6a.large").availabilityZone("eu-west-1b").build());

    assertThat(outcome.placement(new InstanceId("i-0000000000000000b")))
        .isEqualTo(new LaunchOutcome.Placement("m7i.large", "eu-west-1a"));
    assertThat(outcome.placement(new InstanceId("i-0000000000000000c")))
        .isEqualTo(new LaunchOutcome.Placement("m6a.large", "eu-west-1b"));
  }

  @Test
  void withoutTheAnswersZoneTheOverrideThatLaunchedTheInstanceNamesItElseItIsUnknown() {
    LaunchOutcome outcome = launch(
        CreateFleetInstance.builder().instanceIds("i-0000000000000000a")
            .launchTemplateAndOverrides(LaunchTemplateAndOverridesResponse.builder().overrides(
                FleetLaunchTemplateOverrides.builder().instanceType("m6a.large").availabilityZone("eu-west-1c")
                    .subnetId("subnet-1").build()).build()).build(),
        CreateFleetInstance.builder().instanceIds("i-0000000000000000d").build());

    assertThat(outcome.placement(new InstanceId("i-0000000000000000a")))
        .isEqualTo(new LaunchOutcome.Placement("m6a.large", "eu-west-1c"));
    assertThat(outcome.placement(new InstanceId("i-0000000000000000d")))
        .isEqualTo(new LaunchOutcome.Placement("unknown", "unknown"));
  }
}
