package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spotrunner.testkit.github.AppKeys;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.Jwts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

class AppJwtTest {
  private static final AppKeys KEYS = AppKeys.generate();
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  private final AppJwt jwt = new AppJwt("123456",
      AppPrivateKey.parse(KEYS.pkcs1Pem()), Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void isSignedWithRs256ByTheAppKeyAndIssuedByTheApp() {
    Jws<Claims> token = parse(jwt.sign());
    assertThat(token.getHeader().getAlgorithm()).isEqualTo("RS256");
    assertThat(token.getPayload().getIssuer()).isEqualTo("123456");
  }

  @Test
  void isBackDatedSixtySecondsAndLivesAtMostTenMinutes() {
    Claims claims = parse(jwt.sign()).getPayload();
    Instant issued = claims.getIssuedAt().toInstant();
    Instant expires = claims.getExpiration().toInstant();
    assertThat(issued).isEqualTo(NOW.minusSeconds(60));
    assertThat(Duration.between(issued, expires)).isLessThanOrEqualTo(Duration.ofMinutes(10));
    assertThat(expires).isBefore(NOW.plus(Duration.ofMinutes(10)));
  }

  @Test
  void carriesAUniqueIdInEveryToken() {
    String first = parse(jwt.sign()).getPayload().getId();
    String second = parse(jwt.sign()).getPayload().getId();
    assertThat(first).isNotBlank().isNotEqualTo(second);
  }

  private static Jws<Claims> parse(String token) {
    return Jwts.parser().verifyWith(KEYS.publicKey()).clock(() -> Date.from(NOW)).build()
        .parseSignedClaims(token);
  }
}
