package dev.spotrunner.local.github;

import dev.spotrunner.local.agent.GitHubSide;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * GitHub as the local stack hosts it: where its API is, the GitHub App the functions authenticate
 * as, and the jobs it holds. {@link #onJobChanged} is told about every new or changed job, which
 * the stack turns into signed webhooks.
 */
public interface GitHubHost extends GitHubSide, AutoCloseable {
  /** The REST API root to give the functions as {@code GITHUB_API_URL}. */
  URI apiUrl();

  long appId();

  /** The App's private key, PEM; generated at start, never written to the repository. */
  String appPrivateKeyPem();

  /** Installs the App on an account; returns the installation id. */
  long install(String login);

  void onJobChanged(Consumer<JobEvent> listener);

  /** Every job with its status, in creation order. */
  List<JobView> jobs();

  Optional<JobView> job(long id);

  /** Each job GitHub re-ran (Actions API re-run) to the id of its new attempt. */
  java.util.Map<Long, Long> reruns();

  /** Runners GitHub knows, with their state. */
  List<RunnerView> runners();

  record JobView(long id, String repository, List<String> labels, String status, String conclusion,
      java.time.Instant createdAt, java.time.Instant startedAt, java.time.Instant completedAt, Long runnerId) {}

  record RunnerView(long id, String name, String status, boolean busy) {}

  @Override
  void close();
}
