package dev.spotrunner.runners.sweeper;

import dev.spotrunner.common.TransientFailure;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * GitHub's delivery log in memory: attempts listed newest first in pages, a redelivery appended as
 * a new attempt of the same guid whose status the webhook's {@code answer} decides.
 */
final class FakeHookDeliveries implements HookDeliveries {
  private final Clock clock;
  private final int pageSize;
  private final List<HookDelivery> attempts = new ArrayList<>();
  final List<Long> redelivered = new ArrayList<>();
  final List<String> pagesRead = new ArrayList<>();
  IntSupplier answer = () -> 202;
  int failPageAfter = Integer.MAX_VALUE;
  int refuseRedeliveriesAfter = Integer.MAX_VALUE;
  private long nextId = 1_000;

  FakeHookDeliveries(Clock clock, int pageSize) {
    this.clock = clock;
    this.pageSize = pageSize;
  }

  /** An attempt {@code minutesAgo} minutes before now. */
  HookDelivery add(String guid, long minutesAgo, int status, String event, String action) {
    HookDelivery attempt = new HookDelivery(nextId++, guid,
        clock.instant().minusSeconds(minutesAgo * 60), false, status, event, action);
    attempts.add(attempt);
    return attempt;
  }

  HookDelivery failedJob(String guid, long minutesAgo, int status) {
    return add(guid, minutesAgo, status, "workflow_job", "queued");
  }

  List<HookDelivery> attempts(String guid) {
    return attempts.stream().filter(a -> a.guid().equals(guid)).toList();
  }

  @Override
  public Page page(String cursor) {
    int from = cursor == null ? 0 : Integer.parseInt(cursor);
    if (pagesRead.size() >= failPageAfter) {
      throw new TransientFailure("GET /app/hook/deliveries rate limited by GitHub");
    }
    pagesRead.add(cursor);
    List<HookDelivery> newestFirst = attempts.stream()
        .sorted(Comparator.comparing(HookDelivery::deliveredAt).reversed()
            .thenComparing(Comparator.comparingLong(HookDelivery::id).reversed()))
        .toList();
    int to = Math.min(from + pageSize, newestFirst.size());
    return new Page(newestFirst.subList(from, to), to < newestFirst.size() ? String.valueOf(to) : null);
  }

  @Override
  public void redeliver(long deliveryId) {
    if (redelivered.size() >= refuseRedeliveriesAfter) {
      throw new TransientFailure("POST attempts: secondary rate limit");
    }
    HookDelivery original = attempts.stream().filter(a -> a.id() == deliveryId).findFirst()
        .orElseThrow();
    redelivered.add(deliveryId);
    attempts.add(new HookDelivery(nextId++, original.guid(), clock.instant(), true,
        answer.getAsInt(), original.event(), original.action()));
  }
}
