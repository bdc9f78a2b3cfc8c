package dev.spotrunner.runners.sweeper;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.TransientFailure;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.runners.sweeper.RedeliveryPolicy.Decision;
import dev.spotrunner.runners.sweeper.RedeliveryPolicy.Verdict;
import dev.spotrunner.runners.sweeper.SweepReport.Count;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One sweep: for every App (each App has its own webhook delivery log), lists the App's deliveries
 * newest first back to the lookback window, lets {@link RedeliveryPolicy} judge them, and
 * redelivers the failed queued jobs oldest first through that same App, all within the run's
 * points budget (a page costs 1, a redelivery 5). The budget is split across the Apps in order:
 * each App may spend the points still left divided by the Apps still to sweep, so what one App
 * leaves unused goes to the next and the run never spends more than its budget. What the budget
 * does not cover stays failed on GitHub and is picked up by the next run while it is inside the
 * window. One App's log that cannot be read does not stop the others; the run fails only when no
 * App's log could be read.
 */
public final class Sweeper {
  private static final Log log = Log.of(Sweeper.class);

  private final SweeperSettings settings;
  private final List<HookDeliveries> apps;
  private final Clock clock;

  public Sweeper(SweeperSettings settings, HookDeliveries deliveries, Clock clock) {
    this(settings, List.of(deliveries), clock);
  }

  /** @param apps one delivery log per App, in the order of the settings' Apps */
  public Sweeper(SweeperSettings settings, List<HookDeliveries> apps, Clock clock) {
    if (apps.isEmpty()) {
      throw new IllegalArgumentException("at least one App");
    }
    if (settings.maxPointsPerRun() / apps.size()
        < HookDeliveries.GET_POINTS + HookDeliveries.POST_POINTS) {
      throw new IllegalArgumentException("a sweep needs at least one page and one redelivery per App");
    }
    this.settings = settings;
    this.apps = List.copyOf(apps);
    this.clock = clock;
  }

  public SweepReport run() {
    SweepReport report = new SweepReport();
    Instant since = clock.instant().minus(settings.lookback());
    int left = settings.maxPointsPerRun();
    RuntimeException unread = null;
    int read = 0;
    for (int i = 0; i < apps.size(); i++) {
      Budget budget = new Budget(left / (apps.size() - i), report);
      try {
        sweep(i, apps.get(i), since, budget, report);
        read++;
      } catch (RuntimeException e) {
        // nothing of this App's log was read: the other Apps are still swept
        report.add(Count.LOGS_UNREAD, 1);
        log.warn("app delivery log not read", entry("app", i), Log.error(e));
        unread = unread == null ? e : unread;
      }
      left -= budget.spent;
    }
    if (read == 0) {
      throw unread; // nothing read at all: the run failed, and says so
    }
    return report;
  }

  private void sweep(int app, HookDeliveries deliveries, Instant since, Budget budget,
      SweepReport report) {
    List<HookDelivery> seen = read(deliveries, since, budget, report);

    List<Decision> decisions = RedeliveryPolicy.decide(seen);
    List<Decision> toRedeliver = new ArrayList<>();
    for (Decision decision : decisions) {
      switch (decision.verdict()) {
        case REDELIVER -> toRedeliver.add(decision);
        case GIVEN_UP -> {
          report.add(Count.REDELIVERIES_GIVEN_UP, 1);
          log.warn("delivery failed again after its redelivery, not retried",
              entry("delivery_id", decision.guid()), entry("status", decision.attempt().statusCode()));
        }
        case REFUSED_BY_WEBHOOK -> report.add(Count.REFUSED_BY_WEBHOOK, 1);
        case DELIVERED, NOT_A_QUEUED_JOB -> { }
      }
    }
    int recovered = report.get(Count.JOBS_RECOVERED);
    int deferred = report.get(Count.REDELIVERIES_DEFERRED);
    redeliver(deliveries, toRedeliver, budget, report);
    log.info("sweep done", entry("app", app), entry("deliveries_seen", seen.size()),
        entry("recovered", report.get(Count.JOBS_RECOVERED) - recovered),
        entry("deferred", report.get(Count.REDELIVERIES_DEFERRED) - deferred),
        entry("points", budget.spent));
  }

  /** Pages back to {@code since}; keeps room for one redelivery; a later page's failure ends it. */
  private List<HookDelivery> read(HookDeliveries deliveries, Instant since, Budget budget,
      SweepReport report) {
    List<HookDelivery> seen = new ArrayList<>();
    String cursor = null;
    do {
      if (!budget.canSpend(HookDeliveries.GET_POINTS + HookDeliveries.POST_POINTS)) {
        log.warn("sweep budget ends the listing", entry("points", budget.spent),
            entry("oldest_seen", seen.isEmpty() ? null : seen.getLast().deliveredAt()));
        break;
      }
      HookDeliveries.Page page;
      budget.spend(HookDeliveries.GET_POINTS);
      try {
        page = deliveries.page(cursor);
      } catch (TransientFailure e) {
        if (cursor == null) {
          throw e; // nothing read at all: the run failed, and says so
        }
        // what was read is complete back to its oldest attempt, so acting on it stays correct
        log.warn("delivery listing cut short", entry("pages", report.get(Count.PAGES_READ)),
            Log.error(e));
        break;
      }
      report.add(Count.PAGES_READ, 1);
      boolean older = false;
      for (HookDelivery delivery : page.deliveries()) {
        if (delivery.deliveredAt().isBefore(since)) {
          older = true;
        } else {
          seen.add(delivery);
        }
      }
      cursor = older ? null : page.next();
    } while (cursor != null);
    return seen;
  }

  private void redeliver(HookDeliveries deliveries, List<Decision> decisions, Budget budget,
      SweepReport report) {
    for (int i = 0; i < decisions.size(); i++) {
      Decision decision = decisions.get(i);
      if (!budget.canSpend(HookDeliveries.POST_POINTS)) {
        deferred(decisions.size() - i, "points", report);
        return;
      }
      budget.spend(HookDeliveries.POST_POINTS);
      try {
        deliveries.redeliver(decision.attempt().id());
      } catch (TransientFailure e) {
        // GitHub asks us to slow down: the rest stays failed on GitHub for the next run
        log.warn("redelivery not accepted now", entry("delivery_id", decision.guid()), Log.error(e));
        deferred(decisions.size() - i, "github", report);
        return;
      } catch (PermanentFailure e) {
        report.add(Count.REDELIVERIES_REFUSED, 1);
        log.warn("redelivery refused by github", entry("delivery_id", decision.guid()),
            Log.error(e));
        continue;
      }
      report.add(Count.JOBS_RECOVERED, 1);
      log.info("delivery redelivered", entry("delivery_id", decision.guid()),
          entry("attempt_id", decision.attempt().id()),
          entry("failed_status", decision.attempt().statusCode()),
          entry("failed_at", decision.attempt().deliveredAt()));
    }
  }

  private static void deferred(int count, String why, SweepReport report) {
    report.add(Count.REDELIVERIES_DEFERRED, count);
    log.warn("redeliveries deferred to the next run", entry("count", count), entry("reason", why));
  }

  /** The run's points: each call is charged before it is made, as GitHub charges it. */
  private static final class Budget {
    private int left;
    private int spent;
    private final SweepReport report;

    Budget(int points, SweepReport report) {
      this.left = points;
      this.report = report;
    }

    boolean canSpend(int points) {
      return left >= points;
    }

    void spend(int points) {
      left -= points;
      spent += points;
      report.add(Count.POINTS_SPENT, points);
    }
  }
}
