package dev.spotrunner.local.stack;

import dev.spotrunner.common.fleet.CapacityType;
import dev.spotrunner.common.fleet.InstanceId;
import dev.spotrunner.common.fleet.LaunchOutcome;
import dev.spotrunner.common.fleet.LaunchSpec;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.fleet.RunnerInstance;
import dev.spotrunner.common.parameters.Parameters;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * What a runner machine sees of AWS: its own instance (IMDS, shutdown) and its SSM config. The
 * simulated machines use these views; launching belongs to scale-up only.
 */
final class MachineRoom {
  private MachineRoom() {}

  /** Lists and terminates instances; the machines never launch. */
  static RunnerFleet fleet(Ec2Client ec2) {
    return new RunnerFleet() {
      @Override
      public LaunchOutcome launch(LaunchSpec spec) {
        throw new UnsupportedOperationException("runner machines do not launch instances");
      }

      @Override
      public List<RunnerInstance> list(Map<String, String> tags) {
        List<Filter> filters = new ArrayList<>();
        filters.add(Filter.builder().name("instance-state-name").values("pending", "running").build());
        tags.forEach((k, v) -> filters.add(Filter.builder().name("tag:" + k).values(v).build()));
        List<RunnerInstance> found = new ArrayList<>();
        for (var reservation : ec2.describeInstancesPaginator(r -> r.filters(filters)).reservations()) {
          for (Instance instance : reservation.instances()) {
            Map<String, String> instanceTags = new HashMap<>();
            instance.tags().forEach(t -> instanceTags.put(t.key(), t.value()));
            found.add(new RunnerInstance(new InstanceId(instance.instanceId()), instance.state().nameAsString(),
                instance.launchTime(), instance.instanceLifecycle() == InstanceLifecycleType.SPOT
                    ? CapacityType.SPOT : CapacityType.ON_DEMAND, instanceTags));
          }
        }
        return found;
      }

      @Override
      public void tag(InstanceId instance, Map<String, String> tags) {
        throw new UnsupportedOperationException("runner machines do not tag instances");
      }

      @Override
      public void terminate(Collection<InstanceId> instances) {
        if (!instances.isEmpty()) {
          ec2.terminateInstances(r -> r.instanceIds(instances.stream().map(InstanceId::value).toList()));
        }
      }
    };
  }

  /** Reads and deletes parameters without caching: the start script polls for its config. */
  static Parameters parameters(SsmClient ssm) {
    return new Parameters() {
      @Override
      public Optional<String> get(String name) {
        try {
          return Optional.of(ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value());
        } catch (ParameterNotFoundException e) {
          return Optional.empty();
        }
      }

      @Override
      public void putSecure(String name, String value) {
        throw new UnsupportedOperationException("runner machines do not write parameters");
      }

      @Override
      public void delete(String name) {
        try {
          ssm.deleteParameter(r -> r.name(name));
        } catch (ParameterNotFoundException e) {
          // already gone
        }
      }

      @Override
      public List<String> namesUnder(String path) {
        throw new UnsupportedOperationException("runner machines do not list parameters");
      }
    };
  }
}
