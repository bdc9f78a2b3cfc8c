package dev.spotrunner.local.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScheduleExpressionTest {
  static final Instant CREATED = Instant.parse("2026-03-02T10:00:30Z");

  @Test
  void aRateRuleFiresOnePeriodAfterItWasCreatedAndEveryPeriodAfter() {
    ScheduleExpression rate = ScheduleExpression.parse("rate(5 minutes)");

    assertThat(rate.rate()).isEqualTo(Duration.ofMinutes(5));
    assertThat(rate.nextAfter(CREATED, CREATED)).isEqualTo(CREATED.plusSeconds(300));
    assertThat(rate.nextAfter(CREATED, CREATED.plusSeconds(300))).isEqualTo(CREATED.plusSeconds(600));
    assertThat(rate.nextAfter(CREATED, CREATED.plusSeconds(301))).isEqualTo(CREATED.plusSeconds(600));
    assertThat(ScheduleExpression.parse("rate(1 hour)").rate()).isEqualTo(Duration.ofHours(1));
    assertThat(ScheduleExpression.parse("rate(2 days)").rate()).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void refusesWhatEventBridgeRefuses() {
    for (String wrong : new String[] {"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(30 seconds)",
        "every 5 minutes", "cron(0 12 * * * *)", "cron(0 12 * * ?)", "cron(0 12 ? * ? *)",
        "cron(0 12 L * ? *)", "cron(61 * * * ? *)"}) {
      assertThatThrownBy(() -> ScheduleExpression.parse(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aCronRuleFiresAtEachMatchingMinuteInUtc() {
    // Monday 2 March 2026, 10:00:30 UTC.
    assertThat(ScheduleExpression.parse("cron(0/15 * * * ? *)").nextAfter(CREATED, CREATED))
        .isEqualTo(Instant.parse("2026-03-02T10:15:00Z"));
    assertThat(ScheduleExpression.parse("cron(0 8 ? * MON-FRI *)").nextAfter(CREATED, CREATED))
        .isEqualTo(Instant.parse("2026-03-03T08:00:00Z"));
    // Day-of-week 1 is Sunday.
    assertThat(ScheduleExpression.parse("cron(30 6 ? * 1 *)").nextAfter(CREATED, CREATED))
        .isEqualTo(Instant.parse("2026-03-08T06:30:00Z"));
    assertThat(ScheduleExpression.parse("cron(0 0 1 JAN,JUL ? 2027)").nextAfter(CREATED, CREATED))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }
}
