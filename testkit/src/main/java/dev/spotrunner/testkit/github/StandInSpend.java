package dev.spotrunner.testkit.github;

import java.time.Instant;

/**
 * One authenticated request as the stand-in's secondary limit saw it.
 *
 * @param caller whose budget it counts against: {@code installation:<id>}, {@code app}, …
 * @param client who sent it within that budget: {@code token-<n>} for the n-th installation token
 *     the stand-in issued (each function container gets its own), else the caller
 * @param endpoint the endpoint's name (docs/github-standin.md), e.g. {@code generate-jitconfig}
 * @param points what it costs: GET 1, others 5
 * @param refused answered with a secondary-limit 403 instead (then it spent nothing)
 */
public record StandInSpend(Instant at, String caller, String client, String endpoint,
    int points, boolean refused) {}
