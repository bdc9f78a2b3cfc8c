package dev.spotrunner.common.github;

import dev.spotrunner.common.log.Secret;
import java.time.Instant;

/** An installation access token and its expiry; {@link #toString()} never shows the token. */
public record InstallationToken(long installationId, Secret token, Instant expiresAt) {}
