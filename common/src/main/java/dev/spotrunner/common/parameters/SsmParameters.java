package dev.spotrunner.common.parameters;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.aws.AwsFailures;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.common.log.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * {@link Parameters} on SSM Parameter Store. Decrypted values are cached in memory for a TTL read
 * from the given {@link Clock}, so a warm Lambda asks SSM for its App key once per TTL, not once
 * per invocation. Missing parameters are not cached: one created a moment later is found.
 *
 * <p>Writes choose the parameter tier by the value's size ({@link #write}); since mid-2025
 * GitHub's JIT configs are longer than a Standard parameter holds. A write for an owner ({@link
 * #putSecure(String, String, ParameterOwner)}) creates the parameter with the owner's tag and KMS
 * key, so that IAM lets only the owner read it. Failure messages never carry a value: SSM's own
 * error text is dropped for puts.
 */
public final class SsmParameters implements Parameters {
  /** Long enough to spare SSM's throughput limit, short enough that a rotated secret is seen soon. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
  /** AWS refuses longer Standard values ("... support a maximum parameter value of 4096 characters"). */
  public static final int STANDARD_MAX_CHARS = 4096;
  /** The Advanced tier's limit, 8 KB; nothing longer can be stored. */
  public static final int ADVANCED_MAX_CHARS = 8192;
  /** {@link ParameterRefused#code()} for a value no tier holds; such a value is never sent. */
  public static final String VALUE_TOO_LARGE = "ValueTooLarge";
  /**
   * Refusals of a Standard write that the Advanced tier takes: a downgrade of an Advanced parameter
   * (ValidationException) and the 10,000 Standard parameters of a Region used up.
   */
  private static final Set<String> ADVANCED_WOULD_TAKE =
      Set.of("ValidationException", "ParameterLimitExceeded");
  private static final String ALREADY_EXISTS = "ParameterAlreadyExists";
  private static final Log LOG = Log.of(SsmParameters.class);

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
    write(name, value, tier -> put(name, value, tier, true, null));
    // Not cached: scale-up writes one config per runner and never reads it back, so caching
    // writes would grow a warm container's memory without end. A stale entry is dropped instead.
    cache.remove(name);
  }

  /**
   * Creates the parameter with the owner's tag and key ({@code Overwrite=false}: SSM refuses tags
   * on an overwrite, and a parameter someone else created must not change hands). When it exists,
   * its tags decide: the owner's tag means an earlier attempt of this write (an answer lost on the
   * way back, a repeated launch of the same instance), so the value is replaced and the tag kept;
   * anything else is a {@link ParameterRefused} with code {@link Parameters#NOT_OURS}. The tier
   * rules of {@link #putSecure(String, String)} apply to both writes.
   */
  @Override
  public void putSecure(String name, String value, ParameterOwner owner) {
    Objects.requireNonNull(owner, "owner");
    try {
      write(name, value, tier -> put(name, value, tier, false, owner));
    } catch (ParameterRefused refused) {
      if (!ALREADY_EXISTS.equals(refused.code())) {
        throw refused;
      }
      String holder = tagValue(name, owner.tagKey());
      if (!owner.tagValue().equals(holder)) {
        throw new ParameterRefused(name, NOT_OURS, "SSM parameter " + name + " exists with "
            + (holder == null ? "no " + owner.tagKey() + " tag" : owner.tagKey() + " = " + holder)
            + ", not " + owner.tagValue() + ": left as it is, nothing written");
      }
      LOG.info("parameter exists with this owner's tag, value replaced",
          Log.entry("parameter", name), Log.entry("owner", owner.tagValue()));
      write(name, value, tier -> put(name, value, tier, true, owner));
    }
    cache.remove(name);
  }
  /**
   * Stores the value in the smallest tier that holds it: Standard up to {@value #STANDARD_MAX_CHARS}
   * characters (free), Advanced above (charged per parameter-hour, up to {@value
   * #ADVANCED_MAX_CHARS}). A Standard write that SSM refuses because the parameter already is
   * Advanced (tiers never go down) or because the account's Standard quota is used up is repeated
   * once as Advanced. Any other refusal is a {@link ParameterRefused}; throttling and 5xx are a
   * {@link dev.spotrunner.common.TransientFailure}. Never a {@link PermanentFailure}.
   */
  private void write(String name, String value, Consumer<ParameterTier> put) {
    Objects.requireNonNull(value, "value");
    if (value.length() > ADVANCED_MAX_CHARS) {
      throw new ParameterRefused(name, VALUE_TOO_LARGE, "SSM PutParameter " + name + " not sent: "
          + value.length() + " characters, more than the advanced tier's " + ADVANCED_MAX_CHARS);
    }
    ParameterTier tier = tierFor(value);
    try {
      put.accept(tier);
    } catch (AwsServiceException e) {
      if (tier != ParameterTier.STANDARD || AwsFailures.isTransient(e)
          || !ADVANCED_WOULD_TAKE.contains(AwsFailures.code(e))) {
        throw refused(name, tier, value, e);
      }
      LOG.info("standard tier refused, writing the parameter as advanced",
          Log.entry("parameter", name), Log.entry("characters", value.length()),
          Log.entry("standard_refused", AwsFailures.code(e)));
      try {
        put.accept(ParameterTier.ADVANCED);
      } catch (SdkException again) {
        throw refused(name, ParameterTier.ADVANCED, value, again);
      }
    } catch (SdkException e) {
      throw refused(name, tier, value, e);
    }
  }

  /** Standard when the value fits it (free), Advanced otherwise: AWS refuses the reverse. */
  public static ParameterTier tierFor(String value) {
    return value.length() <= STANDARD_MAX_CHARS ? ParameterTier.STANDARD : ParameterTier.ADVANCED;
  }

  /** Tags go only with a create: SSM refuses them with {@code Overwrite=true}. */
  private void put(String name, String value, ParameterTier tier, boolean overwrite,
      ParameterOwner owner) {
    ssm.putParameter(r -> {
      r.name(name).value(value).type(ParameterType.SECURE_STRING).tier(tier).overwrite(overwrite);
      if (owner != null && owner.kmsKeyId() != null) {
        r.keyId(owner.kmsKeyId());
      }
      if (owner != null && !overwrite) {
        r.tags(Tag.builder().key(owner.tagKey()).value(owner.tagValue()).build());
      }
    });
  }

  /** The value of one tag of a parameter, null when it has none. */
  private String tagValue(String name, String key) {
    try {
      return ssm.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER)
              .resourceId(name)).tagList().stream()
          .filter(tag -> key.equals(tag.key())).map(Tag::value).findFirst().orElse(null);
    } catch (SdkException e) {
      // Gone since the create was refused (its instance read and deleted it): a retry creates it.
      throw AwsFailures.translate("SSM", "ListTagsForResource " + name, e);
    }
  }

  /** AWS's text is dropped: a validation message may quote the value. */
  private static RuntimeException refused(String name, ParameterTier tier, String value,
      SdkException failure) {
    RuntimeException translated = AwsFailures.translate("SSM", "PutParameter " + name + " ("
        + tier + " tier, " + value.length() + " characters)", failure, false);
    return translated instanceof PermanentFailure
        ? new ParameterRefused(name, AwsFailures.code(failure), translated.getMessage())
        : translated;
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
