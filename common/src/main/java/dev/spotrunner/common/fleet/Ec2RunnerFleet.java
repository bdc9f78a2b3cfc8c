package dev.spotrunner.common.fleet;

import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.log.Log;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateFleetError;
import software.amazon.awssdk.services.ec2.model.CreateFleetInstance;
import software.amazon.awssdk.services.ec2.model.CreateFleetRequest;
import software.amazon.awssdk.services.ec2.model.CreateFleetResponse;
import software.amazon.awssdk.services.ec2.model.DefaultTargetCapacityType;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateConfigRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateOverridesRequest;
import software.amazon.awssdk.services.ec2.model.FleetLaunchTemplateSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.FleetType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.OnDemandOptionsRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SpotOptionsRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TargetCapacitySpecificationRequest;

/**
 * {@link RunnerFleet} on EC2: one CreateFleet of type {@code instant} per launch, DescribeInstances
 * by tag, CreateTags, TerminateInstances in chunks. The ids a launch returns are new to the rest of
 * EC2 for a while ({@link EventualConsistency}): a NotFound about one of them is retried with
 * backoff, never read as "already gone".
 */
public final class Ec2RunnerFleet implements RunnerFleet {
  /** The launch template version every launch uses: the one the operator marked default. */
  public static final String TEMPLATE_VERSION = "$Default";
  /** EC2 takes at most 200 values in one filter. */
  static final int FILTER_VALUES = 200;

  private static final Log LOG = Log.of(Ec2RunnerFleet.class);
  private static final Pattern INSTANCE_IDS = Pattern.compile("i-[0-9a-f]{8,17}");
  static final String NOT_FOUND = "InvalidInstanceID.NotFound";

  private final Ec2Client ec2;
  private final int pageSize;
  private final int terminateChunk;
  private final EventualConsistency consistency;

  public Ec2RunnerFleet(Ec2Client ec2) {
    this(ec2, 500, 500);
  }

  /**
   * @param pageSize DescribeInstances results per page (5–1000)
   * @param terminateChunk instance ids per TerminateInstances call
   */
  public Ec2RunnerFleet(Ec2Client ec2, int pageSize, int terminateChunk) {
    this(ec2, pageSize, terminateChunk, EventualConsistency.real());
  }

  /** @param consistency remembers launched ids and paces retries about them (tests: a fake clock) */
  public Ec2RunnerFleet(Ec2Client ec2, int pageSize, int terminateChunk,
      EventualConsistency consistency) {
    this.ec2 = Objects.requireNonNull(ec2, "ec2");
    this.consistency = Objects.requireNonNull(consistency, "consistency");
    if (pageSize < 5 || pageSize > 1000) {
      throw new IllegalArgumentException("pageSize must be 5..1000, got " + pageSize);
    }
    if (terminateChunk < 1) {
      throw new IllegalArgumentException("terminateChunk must be at least 1");
    }
    this.pageSize = pageSize;
    this.terminateChunk = terminateChunk;
  }

  @Override
  public LaunchOutcome launch(LaunchSpec spec) {
    CreateFleetResponse response;
    try {
      response = ec2.createFleet(request(spec));
    } catch (SdkException e) {
      throw AwsFailures.translate("EC2", "CreateFleet", e);
    }
    List<InstanceId> launched = new ArrayList<>();
    Map<InstanceId, LaunchOutcome.Placement> placements = new java.util.HashMap<>();
    for (CreateFleetInstance instance : response.instances()) {
      LaunchOutcome.Placement placement = placement(instance);
      for (String id : instance.instanceIds()) {
        launched.add(new InstanceId(id));
        placements.put(new InstanceId(id), placement);
      }
    }
    consistency.launched(launched);
    // One error item per override that failed; the caller needs each code once.
    List<String> errors = response.errors().stream()
        .map(CreateFleetError::errorCode)
        .filter(Objects::nonNull)
        .distinct()
        .toList();
    if (!errors.isEmpty()) {
      LOG.info("fleet launch reported errors", Log.entry("requested", spec.count()),
          Log.entry("launched", launched.size()), Log.entry("capacity_type", spec.capacityType().ec2Value()),
          Log.entry("errors", String.join(",", errors)));
    }
    return new LaunchOutcome(launched, errors, placements);
  }

  /** Type and zone of an instant fleet's instances: the answer's own, else the override that launched them. */
  private static LaunchOutcome.Placement placement(CreateFleetInstance instance) {
    var overrides = instance.launchTemplateAndOverrides() == null ? null
        : instance.launchTemplateAndOverrides().overrides();
    String type = instance.instanceTypeAsString() != null ? instance.instanceTypeAsString()
        : overrides == null ? null : overrides.instanceTypeAsString();
    String zone = instance.availabilityZone() != null ? instance.availabilityZone()
        : overrides == null ? null : overrides.availabilityZone();
    return new LaunchOutcome.Placement(type, zone);
  }

  static CreateFleetRequest request(LaunchSpec spec) {
    boolean spot = spec.capacityType() == CapacityType.SPOT;
    List<FleetLaunchTemplateOverridesRequest> overrides = new ArrayList<>();
    for (String type : spec.instanceTypes()) {
      // moto needs an instance type in every override, AWS accepts it; subnets are optional.
      if (spec.subnetIds().isEmpty()) {
        overrides.add(override(type, null, spot ? spec.maxSpotPrice() : null));
      }
      for (String subnet : spec.subnetIds()) {
        overrides.add(override(type, subnet, spot ? spec.maxSpotPrice() : null));
      }
    }
    List<Tag> tags = spec.tags().entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
    CreateFleetRequest.Builder request = CreateFleetRequest.builder()
        .type(FleetType.INSTANT)
        .launchTemplateConfigs(FleetLaunchTemplateConfigRequest.builder()
            .launchTemplateSpecification(FleetLaunchTemplateSpecificationRequest.builder()
                .launchTemplateName(spec.launchTemplateName())
                .version(TEMPLATE_VERSION)
                .build())
            .overrides(overrides)
            .build())
        .targetCapacitySpecification(TargetCapacitySpecificationRequest.builder()
            .totalTargetCapacity(spec.count())
            .defaultTargetCapacityType(spot ? DefaultTargetCapacityType.SPOT
                : DefaultTargetCapacityType.ON_DEMAND)
            .build())
        .clientToken(spec.clientToken());
    if (spot) {
      request.spotOptions(SpotOptionsRequest.builder()
          .allocationStrategy(spec.spotAllocationStrategy())
          .build());
    } else {
      request.onDemandOptions(OnDemandOptionsRequest.builder()
          .allocationStrategy("lowest-price")
          .build());
    }
    if (!tags.isEmpty()) {
      request.tagSpecifications(
          TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
          TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
    }
    return request.build();
  }

  private static FleetLaunchTemplateOverridesRequest override(String type, String subnet,
      String maxPrice) {
    return FleetLaunchTemplateOverridesRequest.builder()
        .instanceType(type)
        .subnetId(subnet)
        .maxPrice(maxPrice)
        .build();
  }

  @Override
  public List<RunnerInstance> list(Map<String, String> tags) {
    return describe(tags, "pending", "running").stream()
        .map(Ec2RunnerFleet::toRunnerInstance)
        .toList();
  }

  @Override
  public List<RunnerInstance> interrupted(Map<String, String> tags) {
    return endedBecause(tags, INTERRUPTION_CODES);
  }

  /** Shutting-down and terminated instances with the tags whose state reason is one of {@code codes}. */
  List<RunnerInstance> endedBecause(Map<String, String> tags, Set<String> codes) {
    // EC2 cannot filter on the state reason; the few terminated instances of the last hour are
    // filtered here.
    return describe(tags, "shutting-down", "terminated").stream()
        .filter(i -> i.stateReason() != null && codes.contains(i.stateReason().code()))
        .map(Ec2RunnerFleet::toRunnerInstance)
        .toList();
  }

  @Override
  public Set<InstanceId> ended(Collection<InstanceId> instances) {
    if (instances.isEmpty()) {
      return Set.of();
    }
    // A filter, not InstanceIds: an id EC2 does not describe yet (one launched seconds ago) is then
    // missing from the answer, so it counts as alive, instead of failing the call with NotFound.
    List<String> all = instances.stream().map(InstanceId::value).distinct().toList();
    Set<InstanceId> ended = new java.util.HashSet<>();
    for (int from = 0; from < all.size(); from += FILTER_VALUES) {
      Filter ids = Filter.builder().name("instance-id")
          .values(all.subList(from, Math.min(all.size(), from + FILTER_VALUES))).build();
      describe(Map.of(), List.of(ids), "shutting-down", "terminated")
          .forEach(i -> ended.add(new InstanceId(i.instanceId())));
    }
    return Set.copyOf(ended);
  }

  private List<Instance> describe(Map<String, String> tags, String... states) {
    return describe(tags, List.of(), states);
  }

  private List<Instance> describe(Map<String, String> tags, List<Filter> more, String... states) {
    List<Filter> filters = new ArrayList<>(more);
    filters.add(Filter.builder().name("instance-state-name").values(states).build());
    tags.forEach((key, value) -> filters.add(Filter.builder().name("tag:" + key).values(value).build()));
    DescribeInstancesRequest request = DescribeInstancesRequest.builder()
        .filters(filters)
        .maxResults(pageSize)
        .build();
    try {
      // Collected inside the try: the paginator fetches pages while the stream is consumed.
      return ec2.describeInstancesPaginator(request).reservations().stream()
          .flatMap(reservation -> reservation.instances().stream())
          .toList();
    } catch (SdkException e) {
      throw AwsFailures.translate("EC2", "DescribeInstances", e);
    }
  }

  private static RunnerInstance toRunnerInstance(Instance instance) {
    Map<String, String> tags = new java.util.HashMap<>();
    for (Tag tag : instance.tags()) {
      tags.put(tag.key(), tag.value());
    }
    // Filtering on instance-lifecycle fails on moto; the field itself is reliable.
    CapacityType capacity = instance.instanceLifecycle() == InstanceLifecycleType.SPOT
        ? CapacityType.SPOT : CapacityType.ON_DEMAND;
    String state = instance.state() == null ? "unknown" : instance.state().nameAsString();
    return new RunnerInstance(new InstanceId(instance.instanceId()), state, instance.launchTime(),
        capacity, tags);
  }

  @Override
  public void tag(InstanceId instance, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return;
    }
    List<Tag> ec2Tags = tags.entrySet().stream()
        .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
        .toList();
    EventualConsistency.Retries retries = consistency.retries();
    while (true) {
      try {
        ec2.createTags(r -> r.resources(instance.value()).tags(ec2Tags));
        return;
      } catch (AwsServiceException e) {
        if (!NOT_FOUND.equals(AwsFailures.code(e)) || !consistency.isNew(instance)) {
          throw AwsFailures.translate("EC2", "CreateTags", e);
        }
        if (!retries.waitOnce()) {
          throw notVisible("CreateTags", List.of(instance.value()), retries);
        }
      } catch (SdkException e) {
        throw AwsFailures.translate("EC2", "CreateTags", e);
      }
    }
  }

  /** Not a permanent failure: EC2 said the new instance is not known yet, not that it is gone. */
  private static TransientFailure notVisible(String operation, Collection<String> ids,
      EventualConsistency.Retries retries) {
    return new TransientFailure("EC2 " + operation + " failed: " + NOT_FOUND + " for instances "
        + "launched moments ago, still not visible after " + retries.retries() + " retries in "
        + retries.elapsed().toMillis() + " ms: " + String.join(", ", ids));
  }

  @Override
  public void terminate(Collection<InstanceId> instances) {
    List<String> ids = instances.stream().map(InstanceId::value).distinct().toList();
    for (int from = 0; from < ids.size(); from += terminateChunk) {
      terminateChunk(ids.subList(from, Math.min(ids.size(), from + terminateChunk)));
    }
  }

  /**
   * One TerminateInstances call. EC2 rejects the whole call when one id is unknown, naming the
   * unknown ids. Unknown ids this fleet did not launch moments ago are gone and dropped; unknown new
   * ids are not visible yet (a NotFound "does not mean the instance has been terminated" — AWS), so
   * the call is retried with backoff, and those still unknown when the budget is spent are reported
   * as a {@link TransientFailure} after the rest were terminated.
   */
  private void terminateChunk(List<String> chunk) {
    List<String> remaining = new ArrayList<>(chunk);
    List<String> notVisible = new ArrayList<>();
    EventualConsistency.Retries retries = consistency.retries();
    while (!remaining.isEmpty()) {
      try {
        List<String> request = List.copyOf(remaining);
        ec2.terminateInstances(r -> r.instanceIds(request));
        break;
      } catch (AwsServiceException e) {
        if (!NOT_FOUND.equals(AwsFailures.code(e))) {
          throw AwsFailures.translate("EC2", "TerminateInstances", e);
        }
        Set<String> unknown = idsIn(e.awsErrorDetails().errorMessage());
        unknown.retainAll(remaining);
        if (unknown.isEmpty()) {
          terminateOneByOne(remaining, notVisible, retries);
          break;
        }
        List<String> unknownNew = unknown.stream().filter(this::isNew).toList();
        remaining.removeAll(unknown);
        if (unknownNew.isEmpty()) {
          continue;
        }
        if (retries.waitOnce()) {
          remaining.addAll(unknownNew);
        } else {
          notVisible.addAll(unknownNew);
        }
      } catch (SdkException e) {
        throw AwsFailures.translate("EC2", "TerminateInstances", e);
      }
    }
    if (!notVisible.isEmpty()) {
      throw notVisible("TerminateInstances", notVisible, retries);
    }
  }

  private void terminateOneByOne(List<String> ids, List<String> notVisible,
      EventualConsistency.Retries retries) {
    for (String id : ids) {
      while (true) {
        try {
          ec2.terminateInstances(r -> r.instanceIds(id));
          break;
        } catch (AwsServiceException e) {
          if (!NOT_FOUND.equals(AwsFailures.code(e))) {
            throw AwsFailures.translate("EC2", "TerminateInstances", e);
          }
          if (!isNew(id)) {
            break;
          }
          if (!retries.waitOnce()) {
            notVisible.add(id);
            break;
          }
        } catch (SdkException e) {
          throw AwsFailures.translate("EC2", "TerminateInstances", e);
        }
      }
    }
  }

  private boolean isNew(String id) {
    return consistency.isNew(new InstanceId(id));
  }

  private static Set<String> idsIn(String message) {
    Set<String> ids = new LinkedHashSet<>();
    if (message != null) {
      Matcher matcher = INSTANCE_IDS.matcher(message);
      while (matcher.find()) {
        ids.add(matcher.group());
      }
    }
    return ids;
  }
}
