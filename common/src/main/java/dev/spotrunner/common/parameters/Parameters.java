package dev.spotrunner.common.parameters;

import java.util.List;
import java.util.Optional;

/**
 * SSM Parameter Store. Values may be secrets: adapters never log them, and {@link #get} caches
 * decrypted values in memory only, for the adapter's TTL.
 */
public interface Parameters {
  /** The decrypted value, or empty when the parameter does not exist. */
  Optional<String> get(String name);

  /**
   * The value as the store holds it now, bypassing and replacing any cached copy: for a secret that
   * was just refused (a rotated GitHub App key). Without a cache it is {@link #get}.
   */
  default Optional<String> getFresh(String name) {
    return get(name);
  }

  /**
   * Creates or overwrites a SecureString parameter (up to 8 KB). A write SSM refuses throws
   * {@link ParameterRefused}, throttling and outages another {@link
   * dev.spotrunner.common.TransientFailure}: a failed write is never a reason to drop a job.
   */
  void putSecure(String name, String value);

  /**
   * Creates a SecureString that only {@code owner} may read: tagged with the owner on creation
   * (never overwriting a parameter created by someone else) and encrypted with the owner's key. A
   * parameter of that name that already carries the owner's tag is an earlier attempt of the same
   * write (a lost answer, a repeated launch): its value is replaced. One with another or no owner
   * tag is left alone and the write fails with {@link ParameterRefused} (code {@value
   * #NOT_OURS}), a {@link dev.spotrunner.common.TransientFailure}: the job it was for goes back.
   * Stores that cannot tag or encrypt refuse the call rather than store the value unconfined.
   */
  default void putSecure(String name, String value, ParameterOwner owner) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot confine a parameter to an owner");
  }

  /** {@link ParameterRefused#code()} when a parameter to create exists with another owner. */
  String NOT_OURS = "ParameterOwnedByAnother";

  /** Deletes a parameter; a missing one is not an error. */
  void delete(String name);

  /** Names of every parameter under a path, recursively. */
  List<String> namesUnder(String path);
}
