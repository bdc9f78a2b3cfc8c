package dev.spotrunner.runners.scaleup;

import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.job.RunnerOwner;
import java.util.Objects;

/**
 * Scale-down asking scale-up for idle runners (a warm window): a message on the pool's queue with
 * the attribute {@value #KIND_ATTRIBUTE} = {@value #KIND}. Only scale-up launches, so only it counts
 * the pool against its maximum. Documented in {@code docs/job-message.md}.
 *
 * @param owner where the runners register, {@code org} or {@code org/repo}
 * @param ownerType {@code Organization} or {@code User}, or null
 * @param count how many runners are missing
 * @param tick what makes the request distinct (scale-down's schedule minute): with the pool it
 *     keys the EC2 ClientToken, so the request received twice launches once
 */
public record WarmRequest(String owner, String ownerType, int count, String tick) {
  public static final String KIND_ATTRIBUTE = "spotrunnerKind";
  public static final String KIND = "warm";

  public WarmRequest {
    RunnerOwner.parse(Objects.requireNonNull(owner, "owner"));
    Objects.requireNonNull(tick, "tick");
    if (count < 1) {
      throw new IllegalArgumentException("count must be positive, got " + count);
    }
  }

  public RunnerOwner runnerOwner() {
    return RunnerOwner.parse(owner);
  }

  public String toJson() {
    return Json.write(this);
  }

  public static WarmRequest fromJson(String body) {
    return Json.read(body, WarmRequest.class);
  }
}
