package dev.spotrunner.runners.scaleup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrimingTest {

  @Test
  void drivesTheWholeLaunchPathThroughTheSdkWithoutANetwork() {
    Priming.Result result = Priming.run(3);

    assertEquals(3, result.batches());
    assertEquals(9, result.launched(), "two fresh jobs and one recheck per batch, all launched");
    assertEquals(9, result.rechecks(), "each launch schedules its next recheck");
    Map<String, Integer> calls = result.awsCalls();
    // per batch: list + ended-check DescribeInstances, one CreateFleet, a tag per instance,
    // an SSM config per instance and the recheck's look for a booting machine's config
    assertEquals(3, calls.get("CreateFleet"));
    assertEquals(9, calls.get("CreateTags"));
    assertEquals(9, calls.get("PutParameter"));
    assertTrue(calls.get("DescribeInstances") >= 3, calls.toString());
  }
}
