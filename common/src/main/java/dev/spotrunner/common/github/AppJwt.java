package dev.spotrunner.common.github;

import io.jsonwebtoken.Jwts;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Signs the RS256 JSON Web Tokens a GitHub App presents to {@code /app/...} endpoints. The issue
 * time is back-dated 60 s for clock drift; the whole lifetime stays within GitHub's 10 minutes.
 */
public final class AppJwt {
  static final Duration BACKDATE = Duration.ofSeconds(60);
  static final Duration LIFETIME = Duration.ofMinutes(10);

  private final String appId;
  private final RSAPrivateKey key;
  private final Clock clock;

  public AppJwt(String appId, RSAPrivateKey key, Clock clock) {
    this.appId = appId;
    this.key = key;
    this.clock = clock;
  }

  /** A fresh token: iss = app id, iat = now - 60 s, exp = iat + 10 min (now + 9 min), unique jti. */
  public String sign() {
    Instant issuedAt = clock.instant().minus(BACKDATE);
    return Jwts.builder()
        .issuer(appId)
        .issuedAt(Date.from(issuedAt))
        .expiration(Date.from(issuedAt.plus(LIFETIME)))
        .id(UUID.randomUUID().toString())
        .signWith(key, Jwts.SIG.RS256)
        .compact();
  }
}
