package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.fleet.InstanceId;
import java.util.Map;
import java.util.Optional;

/**
 * The EC2 calls the interruption function makes about one instance. Adapters throw {@link
 * dev.spotrunner.common.TransientFailure} on throttling, 5xx and network errors (the event is then
 * retried by Lambda's asynchronous invocation).
 */
public interface Instances {
  /** The instance in whatever state (EC2 describes a terminated one for about an hour); empty if unknown. */
  Optional<InstanceFacts> describe(InstanceId instance);

  /** Adds or replaces tags; an instance that has gone meanwhile is not an error. */
  void tag(InstanceId instance, Map<String, String> tags);

  /** Terminates it; an unknown instance is not an error. */
  void terminate(InstanceId instance);
}
