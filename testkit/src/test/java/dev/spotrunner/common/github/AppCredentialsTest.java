package dev.spotrunner.common.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.testkit.fakes.ManualClock;
import dev.spotrunner.testkit.github.AppKeys;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SignatureException;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppCredentialsTest {
  private static final AppKeys OLD = AppKeys.generate();
  private static final AppKeys NEW = AppKeys.generate();

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-05T21:00:00Z"));
  private final CachingParameters ssm = new CachingParameters()
      .put("/app/id", "4242").put("/app/key", OLD.pkcs1Pem());
  private final AppCredentials credentials = AppCredentials.fromParameters(ssm,
      new GitHubAppSettings(URI.create("https://api.github.com"), "/app/id", "/app/key"), clock);

  @Test
  void readsTheKeyOnFirstUseAndKeepsIt() {
    assertThat(ssm.reads).isZero();

    AppCredentials.Signer first = credentials.current();

    assertThat(credentials.current()).isSameAs(first);
    assertThat(ssm.reads).isEqualTo(2);
    assertThat(signedBy(first, OLD)).isTrue();
  }

  @Test
  void readsARotatedKeyPastTheParameterCacheWhenGitHubRefusesTheOldOne() {
    AppCredentials.Signer refused = credentials.current();
    ssm.put("/app/key", NEW.pkcs1Pem());
    assertThat(ssm.get("/app/key")).contains(OLD.pkcs1Pem()); // the cache still holds the old key

    AppCredentials.Signer fresh = credentials.reread(refused).orElseThrow();

    assertThat(signedBy(fresh, NEW)).isTrue();
    assertThat(signedBy(fresh, OLD)).isFalse();
    assertThat(credentials.current()).isSameAs(fresh);
    assertThat(ssm.freshReads).isEqualTo(2);
  }

  @Test
  void callersRefusedTogetherShareOneRead() {
    AppCredentials.Signer refused = credentials.current();
    ssm.put("/app/key", NEW.pkcs8Pem());

    Optional<AppCredentials.Signer> first = credentials.reread(refused);
    Optional<AppCredentials.Signer> second = credentials.reread(refused);

    assertThat(second.orElseThrow()).isSameAs(first.orElseThrow());
    assertThat(ssm.freshReads).isEqualTo(2);
  }

  @Test
  void doesNotRetryWhenTheParameterStillHoldsTheRefusedKey() {
    AppCredentials.Signer refused = credentials.current();

    assertThat(credentials.reread(refused)).isEmpty();
    assertThat(credentials.current()).isSameAs(refused);
  }

  @Test
  void neverShowsTheKeyWhenItsParameterIsGone() {
    AppCredentials.Signer refused = credentials.current();
    ssm.values.remove("/app/key");

    assertThatThrownBy(() -> credentials.reread(refused))
        .hasMessageContaining("/app/key does not exist").hasMessageNotContaining("PRIVATE");
  }

  private boolean signedBy(AppCredentials.Signer signer, AppKeys keys) {
    try {
      Jwts.parser().verifyWith(keys.publicKey()).clock(() -> java.util.Date.from(clock.instant()))
          .build().parseSignedClaims(signer.jwt().sign());
      return true;
    } catch (SignatureException e) {
      return false;
    }
  }

  /** Parameters with SsmParameters' behaviour that matters here: get() serves a cached copy. */
  private static final class CachingParameters implements Parameters {
    final Map<String, String> values = new HashMap<>();
    final Map<String, String> cache = new HashMap<>();
    int reads;
    int freshReads;

    CachingParameters put(String name, String value) {
      values.put(name, value);
      return this;
    }

    @Override
    public Optional<String> get(String name) {
      if (!cache.containsKey(name)) {
        reads++;
        Optional.ofNullable(values.get(name)).ifPresent(v -> cache.put(name, v));
      }
      return Optional.ofNullable(cache.get(name));
    }

    @Override
    public Optional<String> getFresh(String name) {
      freshReads++;
      cache.remove(name);
      reads--; // counted as fresh, not as a cached read
      return get(name);
    }

    @Override
    public void putSecure(String name, String value) {
      values.put(name, value);
    }

    @Override
    public void delete(String name) {
      values.remove(name);
    }

    @Override
    public List<String> namesUnder(String path) {
      return List.of();
    }
  }
}
