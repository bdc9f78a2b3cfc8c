package dev.spotrunner.runners.sweeper;

import java.util.List;

/** The App's webhook deliveries on GitHub: listed newest first, page by page, and redelivered. */
public interface HookDeliveries {
  /** GitHub's price of a list page (a GET) and of a redelivery (a POST), in secondary-limit points. */
  int GET_POINTS = 1;
  int POST_POINTS = 5;

  /** One page, newest first; {@code next} is the opaque cursor of the following page or null. */
  record Page(List<HookDelivery> deliveries, String next) {
    public Page {
      deliveries = List.copyOf(deliveries);
    }
  }

  /**
   * @param cursor null for the newest page, else a previous page's {@code next}
   * @throws dev.spotrunner.common.TransientFailure when GitHub cannot answer now (rate limit, 5xx)
   * @throws dev.spotrunner.common.PermanentFailure when GitHub refuses the request as sent
   */
  Page page(String cursor);

  /**
   * Asks GitHub to deliver this attempt's payload again ({@code POST .../attempts}, 202).
   *
   * @throws dev.spotrunner.common.TransientFailure when GitHub cannot answer now
   * @throws dev.spotrunner.common.PermanentFailure when GitHub refuses (e.g. the delivery is too old)
   */
  void redeliver(long deliveryId);
}
