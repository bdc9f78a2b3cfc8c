package dev.spotrunner.testkit.fakes;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.parameters.ParameterOwner;
import dev.spotrunner.common.parameters.ParameterRefused;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An in-memory {@link Parameters} for unit tests; puts can be made to fail, and a value no SSM tier
 * holds is refused as {@link SsmParameters} refuses it.
 */
public final class InMemoryParameters implements Parameters {
  private final TreeMap<String, String> values = new TreeMap<>();
  private final List<String> deleted = new ArrayList<>();
  private final Map<String, ParameterOwner> owners = new HashMap<>();
  private Predicate<String> failPuts = name -> false;

  public InMemoryParameters with(String name, String value) {
    values.put(name, value);
    return this;
  }

  /** Puts to matching names throw {@link TransientFailure}, as SSM does when throttled. */
  public InMemoryParameters failPutsTo(Predicate<String> names) {
    this.failPuts = names;
    return this;
  }

  @Override
  public synchronized Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  @Override
  public synchronized void putSecure(String name, String value) {
    if (failPuts.test(name)) {
      throw new TransientFailure("ssm put failed for " + name);
    }
    if (value.length() > SsmParameters.ADVANCED_MAX_CHARS) {
      throw new ParameterRefused(name, SsmParameters.VALUE_TOO_LARGE, "value too large for " + name);
    }
    values.put(name, value);
  }

  /** As SSM with an owner tag: created once, replaced only for the same owner. */
  @Override
  public synchronized void putSecure(String name, String value, ParameterOwner owner) {
    ParameterOwner holder = owners.get(name);
    if (values.containsKey(name) && (holder == null || !holder.tagValue().equals(owner.tagValue()))) {
      throw new ParameterRefused(name, NOT_OURS, name + " exists with another owner");
    }
    putSecure(name, value);
    owners.put(name, owner);
  }

  /** The owner a parameter was written for, empty when written without one. */
  public synchronized Optional<ParameterOwner> owner(String name) {
    return Optional.ofNullable(owners.get(name));
  }

  @Override
  public synchronized void delete(String name) {
    owners.remove(name);
    if (values.remove(name) != null) {
      deleted.add(name);
    }
  }

  @Override
  public synchronized List<String> namesUnder(String path) {
    String prefix = path.endsWith("/") ? path : path + "/";
    return values.keySet().stream().filter(n -> n.startsWith(prefix)).toList();
  }

  public synchronized List<String> deleted() {
    return List.copyOf(deleted);
  }
}
