package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.fleet.InstanceId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/** {@link Instances} on EC2: DescribeInstances by id, CreateTags, TerminateInstances. */
public final class Ec2Instances implements Instances {
  private static final String NOT_FOUND = "InvalidInstanceID.NotFound";

  private final Ec2Client ec2;

  public Ec2Instances(Ec2Client ec2) {
    this.ec2 = ec2;
  }

  @Override
  public Optional<InstanceFacts> describe(InstanceId instance) {
    try {
      return ec2.describeInstances(r -> r.instanceIds(instance.value())).reservations().stream()
          .flatMap(reservation -> reservation.instances().stream())
          .filter(i -> i.instanceId().equals(instance.value()))
          .findFirst()
          .map(Ec2Instances::facts);
    } catch (AwsServiceException e) {
      if (NOT_FOUND.equals(AwsFailures.code(e))) {
        return Optional.empty();
      }
      throw AwsFailures.translate("EC2", "DescribeInstances", e);
    } catch (SdkException e) {
      throw AwsFailures.translate("EC2", "DescribeInstances", e);
    }
  }

  @Override
  public void tag(InstanceId instance, Map<String, String> tags) {
    try {
      ec2.createTags(r -> r.resources(instance.value()).tags(tags.entrySet().stream()
          .map(t -> Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList()));
    } catch (AwsServiceException e) {
      if (!NOT_FOUND.equals(AwsFailures.code(e))) {
        throw AwsFailures.translate("EC2", "CreateTags", e);
      }
    } catch (SdkException e) {
      throw AwsFailures.translate("EC2", "CreateTags", e);
    }
  }

  @Override
  public void terminate(InstanceId instance) {
    try {
      ec2.terminateInstances(r -> r.instanceIds(instance.value()));
    } catch (AwsServiceException e) {
      if (!NOT_FOUND.equals(AwsFailures.code(e))) {
        throw AwsFailures.translate("EC2", "TerminateInstances", e);
      }
    } catch (SdkException e) {
      throw AwsFailures.translate("EC2", "TerminateInstances", e);
    }
  }

  private static InstanceFacts facts(Instance instance) {
    Map<String, String> tags = new HashMap<>();
    instance.tags().forEach(t -> tags.put(t.key(), t.value()));
    return new InstanceFacts(new InstanceId(instance.instanceId()),
        instance.state() == null ? null : instance.state().nameAsString(),
        instance.instanceTypeAsString(),
        instance.placement() == null ? null : instance.placement().availabilityZone(),
        instance.subnetId(), "spot".equals(instance.instanceLifecycleAsString()), tags);
  }
}
