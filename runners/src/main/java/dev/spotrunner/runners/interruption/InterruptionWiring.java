package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.github.GitHubApps;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

/** Builds the production {@link Interruptions} from the environment, once per container. */
final class InterruptionWiring {
  private InterruptionWiring() {}

  static Interruptions fromEnv(Map<String, String> env) {
    return create(env, AwsClients.fromEnv(env), System.out::println, Clock.systemUTC());
  }

  /** The same wiring on given AWS clients (integration tests point them at the emulator). */
  static Interruptions create(Map<String, String> env, AwsClients aws, Consumer<String> emf,
      Clock clock) {
    InterruptionSettings settings = InterruptionSettings.fromEnv(env);
    Parameters parameters = new SsmParameters(aws.ssm(), clock);
    GitHubRunners github = github(settings, parameters, clock, Sleeper.REAL);
    return create(settings, new Ec2Instances(aws.ec2()), github, parameters, emf, clock);
  }

  /**
   * Every App of the settings: each call through the App with the most points left on the owner,
   * another when one is limited or its key refused ({@link GitHubApps}). Each App's governor holds
   * the function to {@code GITHUB_POINTS_PER_MINUTE}, the points of each installation's minute
   * Terraform set aside for it, so warnings, terminations and re-runs together stay within it and
   * the installation's sum under GitHub's limit. The keys are read on the first GitHub call, not
   * here (invariant 6).
   */
  static GitHubRunners github(InterruptionSettings settings, Parameters parameters, Clock clock,
      Sleeper sleeper) {
    return GitHubApps.create(settings.github(), parameters, clock, GovernorLimits.GITHUB, sleeper);
  }

  static Interruptions create(InterruptionSettings settings, Instances instances,
      GitHubRunners github, Parameters parameters, Consumer<String> emf, Clock clock) {
    InterruptionMetrics metrics = new InterruptionMetrics(clock, emf);
    Reruns reruns = new Reruns(settings, github, parameters, instances, metrics, clock);
    return new Interruptions(settings, instances, github, parameters, reruns, metrics, clock);
  }
}
