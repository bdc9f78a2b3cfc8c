package dev.spotrunner.common.parameters;

import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.log.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * {@link Parameters} on SSM Parameter Store. Decrypted values are cached in memory for a TTL read
 * from the given {@link Clock}, so a warm Lambda asks SSM for its App key once per TTL, not once
 * per invocation. Missing parameters are not cached: one created a moment later is found.
 *
 * <p>Failure messages never carry a value: SSM's own error text is dropped for puts.
 */
public final class SsmParameters implements Parameters {
  /** Long enough to spare SSM's throughput limit, short enough that a rotated secret is seen soon. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private record Cached(Secret value, Instant expires) {}

  private final SsmClient ssm;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public SsmParameters(SsmClient ssm, Clock clock) {
    this(ssm, clock, DEFAULT_TTL);
  }

  public SsmParameters(SsmClient ssm, Clock clock, Duration ttl) {
    this.ssm = Objects.requireNonNull(ssm, "ssm");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
  }

  @Override
  public Optional<String> get(String name) {
    Instant now = clock.instant();
    Cached cached = cache.get(name);
    if (cached != null && now.isBefore(cached.expires())) {
      return Optional.of(cached.value().reveal());
    }
    String value;
    try {
      value = ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
    } catch (ParameterNotFoundException e) {
      cache.remove(name);
      return Optional.empty();
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "GetParameter " + name, e, false);
    }
    cache.put(name, new Cached(new Secret(value), now.plus(ttl)));
    return Optional.of(value);
  }

  @Override
  public Optional<String> getFresh(String name) {
    cache.remove(name);
    return get(name);
  }

  @Override
  public void putSecure(String name, String value) {
    try {
      ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.SECURE_STRING).overwrite(true));
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "PutParameter " + name, e, false);
    }
    // Not cached: scale-up writes one config per runner and never reads it back, so caching
    // writes would grow a warm container's memory without end. A stale entry is dropped instead.
    cache.remove(name);
  }

  @Override
  public void delete(String name) {
    cache.remove(name);
    try {
      ssm.deleteParameter(r -> r.name(name));
    } catch (ParameterNotFoundException e) {
      // already gone: the wanted outcome
    } catch (AwsServiceException e) {
      if (!"ParameterNotFound".equals(AwsFailures.code(e))) {
        throw AwsFailures.translate("SSM", "DeleteParameter " + name, e);
      }
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "DeleteParameter " + name, e);
    }
  }

  @Override
  public List<String> namesUnder(String path) {
    try {
      return ssm.getParametersByPathPaginator(r -> r.path(path).recursive(true).withDecryption(false))
          .stream()
          .flatMap(page -> page.parameters().stream())
          .map(Parameter::name)
          .toList();
    } catch (SdkException e) {
      throw AwsFailures.translate("SSM", "GetParametersByPath " + path, e);
    }
  }

  /** Forgets every cached value (for tests and after a known rotation). */
  public void clearCache() {
    cache.clear();
  }
}
