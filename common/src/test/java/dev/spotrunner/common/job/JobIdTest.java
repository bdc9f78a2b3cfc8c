package dev.spotrunner.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spotrunner.common.json.Json;
import org.junit.jupiter.api.Test;

class JobIdTest {
  @Test
  void writesTheTagValueScaleUpAlwaysWrote() {
    assertEquals("12877621891", JobId.of(12877621891L).toString());
    assertEquals(Long.toString(Long.MAX_VALUE), JobId.of(Long.MAX_VALUE).toString());
  }

  @Test
  void readsBackATagValue() {
    assertEquals(JobId.of(7), JobId.parse("7"));
    assertEquals(JobId.of(7), JobId.parse(" 7 "));
    assertEquals(JobId.of(Long.MAX_VALUE), JobId.parse(Long.toString(Long.MAX_VALUE)));
  }

  @Test
  void aTagThatNamesNoJobIsNoJobId() {
    assertNull(JobId.parse(null));
    assertNull(JobId.parse(""));
    assertNull(JobId.parse("warm"));
    assertNull(JobId.parse("0"));
    assertNull(JobId.parse("-4"));
    assertNull(JobId.parse("9223372036854775808"));
  }

  @Test
  void isAlwaysPositive() {
    assertThrows(IllegalArgumentException.class, () -> JobId.of(0));
    assertThrows(IllegalArgumentException.class, () -> JobId.of(-1));
  }

  @Test
  void isAJsonNumber() {
    assertEquals("501", Json.write(JobId.of(501)));
    assertEquals(JobId.of(501), Json.read("501", JobId.class));
  }

  @Test
  void ordersByValue() {
    assertEquals(-1, Integer.signum(JobId.of(9).compareTo(JobId.of(10))));
  }
}
