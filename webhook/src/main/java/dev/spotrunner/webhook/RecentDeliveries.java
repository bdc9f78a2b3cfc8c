package dev.spotrunner.webhook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A per-container memory of recently queued deliveries and job ids, the webhook's cheap first line
 * against redelivered webhooks. It is not the guarantee: another container, or this one after a
 * restart, has not seen them; scale-up's launch keyed on the job id is.
 */
final class RecentDeliveries {
  public static final int DEFAULT_CAPACITY = 10_000;

  private final Map<String, Boolean> seen;

  RecentDeliveries(int capacity) {
    this.seen = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized boolean seen(String deliveryId, long jobId) {
    return seen.get("d:" + deliveryId) != null || seen.get("j:" + jobId) != null;
  }

  synchronized void remember(String deliveryId, long jobId) {
    seen.put("d:" + deliveryId, Boolean.TRUE);
    seen.put("j:" + jobId, Boolean.TRUE);
  }
}
