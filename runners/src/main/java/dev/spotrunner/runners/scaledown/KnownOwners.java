package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.job.RunnerOwner;
import dev.spotrunner.common.parameters.Parameters;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The owners scale-down looked at in earlier cycles, kept in one SSM parameter. Owners come from
 * the instances' tags; without this memory, a ghost left behind by an owner's last instance would
 * never be seen again, because nothing would make scale-down list that owner's runners.
 */
public final class KnownOwners {
  private final Parameters parameters;
  private final String name;

  /** @param name the parameter, {@code <SSM_CONFIG_PATH>/<pool>/owners} */
  public KnownOwners(Parameters parameters, String name) {
    this.parameters = parameters;
    this.name = name;
  }

  public Set<RunnerOwner> load() {
    return parameters.get(name).map(KnownOwners::parse).orElseGet(Set::of);
  }

  /** Stores the owners when they differ from {@code before}. */
  public void save(Set<RunnerOwner> before, Set<RunnerOwner> owners) {
    if (!before.equals(owners)) {
      parameters.putSecure(name, format(owners));
    }
  }

  static String format(Set<RunnerOwner> owners) {
    return owners.stream().map(RunnerOwner::toString).sorted().collect(Collectors.joining(","));
  }

  static Set<RunnerOwner> parse(String text) {
    Set<RunnerOwner> owners = new TreeSet<>(java.util.Comparator.comparing(RunnerOwner::toString));
    Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(s -> {
      try {
        owners.add(RunnerOwner.parse(s));
      } catch (IllegalArgumentException e) {
        // a malformed entry is dropped; the instances' tags bring real owners back
      }
    });
    return Set.copyOf(owners);
  }
}
