package dev.spotrunner.runners.sweeper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which failed deliveries the sweeper sends again: a pure function of the attempts GitHub lists,
 * with one {@link Verdict} per delivery (guid). GitHub keeps every attempt, so the list itself is
 * the sweeper's memory: a guid with a redelivery among its attempts was redelivered already, by us
 * or by hand, and is never redelivered a second time.
 */
public final class RedeliveryPolicy {
  /** What the webhook answers when the payload itself is wrong: sending it again changes nothing. */
  static final Set<Integer> WEBHOOK_VERDICTS = Set.of(400, 403, 413, 422);

  public enum Verdict {
    /** Some attempt got a 2xx: the webhook has it. */
    DELIVERED,
    /** Not a queued workflow job: other events and actions only feed metrics, not worth points. */
    NOT_A_QUEUED_JOB,
    /** Refused by the webhook for what it carries (bad name, not allowed, too large). */
    REFUSED_BY_WEBHOOK,
    /** Redelivered once already and that failed too: left for a person (docs/sweeper.md). */
    GIVEN_UP,
    /** Failed and never redelivered: send it again. */
    REDELIVER
  }

  /** The verdict on one delivery; {@code attempt} is its latest attempt, the one to redeliver. */
  public record Decision(String guid, HookDelivery attempt, Verdict verdict) {}

  private RedeliveryPolicy() {}

  /**
   * @param attempts the attempts seen, in any order; every attempt of a guid that is seen at all
   *     must be there (listing newest first and stopping at an older one guarantees that)
   * @return one decision per guid, oldest delivery first
   */
  public static List<Decision> decide(List<HookDelivery> attempts) {
    Map<String, List<HookDelivery>> byGuid = new LinkedHashMap<>();
    attempts.stream()
        .sorted(Comparator.comparing(HookDelivery::deliveredAt).thenComparingLong(HookDelivery::id))
        .forEach(a -> byGuid.computeIfAbsent(a.guid(), g -> new ArrayList<>()).add(a));
    List<Decision> decisions = new ArrayList<>(byGuid.size());
    byGuid.forEach((guid, tries) -> {
      HookDelivery latest = tries.getLast();
      decisions.add(new Decision(guid, latest, verdict(tries, latest)));
    });
    return decisions;
  }

  private static Verdict verdict(List<HookDelivery> tries, HookDelivery latest) {
    if (!"workflow_job".equals(latest.event()) || !"queued".equals(latest.action())) {
      return Verdict.NOT_A_QUEUED_JOB;
    }
    if (tries.stream().anyMatch(HookDelivery::succeeded)) {
      return Verdict.DELIVERED;
    }
    // once per guid: a failed redelivery means something is wrong that another one will not fix
    if (tries.stream().anyMatch(HookDelivery::redelivery)) {
      return Verdict.GIVEN_UP;
    }
    if (WEBHOOK_VERDICTS.contains(latest.statusCode())) {
      return Verdict.REFUSED_BY_WEBHOOK;
    }
    return Verdict.REDELIVER;
  }
}
