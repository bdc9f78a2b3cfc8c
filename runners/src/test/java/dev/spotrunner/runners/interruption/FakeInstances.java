package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.fleet.InstanceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link Instances} in memory: instances by id with their tags, and what was terminated. */
final class FakeInstances implements Instances {
  private final Map<InstanceId, InstanceFacts> instances = new LinkedHashMap<>();
  private final List<InstanceId> terminated = new ArrayList<>();

  synchronized InstanceFacts add(InstanceFacts instance) {
    instances.put(instance.id(), instance);
    return instance;
  }

  @Override
  public synchronized Optional<InstanceFacts> describe(InstanceId instance) {
    return Optional.ofNullable(instances.get(instance));
  }

  @Override
  public synchronized void tag(InstanceId instance, Map<String, String> tags) {
    InstanceFacts before = instances.get(instance);
    if (before == null) {
      return;
    }
    Map<String, String> merged = new HashMap<>(before.tags());
    merged.putAll(tags);
    instances.put(instance, new InstanceFacts(before.id(), before.state(), before.instanceType(),
        before.availabilityZone(), before.subnetId(), before.spot(), merged));
  }

  @Override
  public synchronized void terminate(InstanceId instance) {
    terminated.add(instance);
  }

  synchronized String tag(InstanceId instance, String name) {
    return instances.get(instance).tag(name);
  }

  synchronized List<InstanceId> terminated() {
    return List.copyOf(terminated);
  }
}
