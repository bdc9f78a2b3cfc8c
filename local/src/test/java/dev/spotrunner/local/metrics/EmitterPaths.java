package dev.spotrunner.local.metrics;

import dev.spotrunner.common.github.PointsMeter;
import dev.spotrunner.runners.interruption.InterruptionMetrics;
import dev.spotrunner.runners.scaledown.CycleReport;
import dev.spotrunner.runners.scaledown.Emf;
import dev.spotrunner.runners.scaleup.JobExits;
import dev.spotrunner.runners.sweeper.SweepReport;
import dev.spotrunner.syncer.SyncMetrics;
import dev.spotrunner.syncer.SyncSummary;
import dev.spotrunner.webhook.JobMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The EMF lines every function's metric writer produces, each driven the way its function drives it
 * (a job started, a batch with every exit, a scale-down cycle, an interruption, a sweep, GitHub
 * calls, a binary sync), captured
 * instead of printed. Names and dimensions come from the writers, never from here.
 */
public final class EmitterPaths {
  private static final Instant AT = Instant.parse("2026-12-05T10:00:00Z");

  private EmitterPaths() {}

  public static List<String> lines() {
    List<String> lines = new ArrayList<>();
    Clock clock = Clock.fixed(AT, ZoneOffset.UTC);

    JobMetrics webhook = new JobMetrics("prod", clock, lines::add);
    webhook.jobStarted("linux", "acme/api", 1, Duration.ofSeconds(12));
    webhook.jobCompleted("linux", "acme/api", 1, Duration.ofMinutes(3));

    JobExits scaleUp = new JobExits();
    scaleUp.received(3);
    scaleUp.launched("spot");
    scaleUp.launched("on-demand", "m7i.large", "eu-west-1a");
    scaleUp.launchFailed("InsufficientInstanceCapacity");
    for (JobExits.Reason reason : JobExits.Reason.values()) {
      scaleUp.dropped(reason);
    }
    scaleUp.deadLettered();
    for (JobExits.Wait reason : JobExits.Wait.values()) {
      scaleUp.waiting(reason);
    }
    for (JobExits.Return reason : JobExits.Return.values()) {
      scaleUp.returned(reason);
    }
    scaleUp.redriven();
    scaleUp.flush("linux", clock, lines::add);

    Emf scaleDown = new Emf(lines::add);
    scaleDown.emit("linux", AT, new CycleReport(Map.of()));

    InterruptionMetrics interruptions = new InterruptionMetrics(clock, lines::add);
    interruptions.spotInterruption("linux", "m7i.large", "eu-west-1a");
    for (InterruptionMetrics.Count count : InterruptionMetrics.Count.values()) {
      interruptions.count(count, "linux", "i-0123");
    }

    new SweepReport().writeTo(SweepReport.metrics(clock, lines::add));

    PointsMeter github = new PointsMeter(lines::add);
    github.spent("installation:7", AT, 5);
    github.answered("installation:7", AT, "2xx");
    github.flush();

    SyncMetrics.write(new SyncSummary(List.of()), clock, lines::add);
    return lines;
  }
}
