package dev.spotrunner.runners.interruption;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.github.GitHubApp;
import dev.spotrunner.common.github.GitHubRunners;
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
    // the App's key is read on the first GitHub call, not here (invariant 6)
    GitHubRunners github = GitHubApp.create(settings.github(), parameters, clock,
        dev.spotrunner.common.github.GovernorLimits.GITHUB,
        dev.spotrunner.common.github.Sleeper.REAL).runners();
    return create(settings, new Ec2Instances(aws.ec2()), github, parameters, emf, clock);
  }

  static Interruptions create(InterruptionSettings settings, Instances instances,
      GitHubRunners github, Parameters parameters, Consumer<String> emf, Clock clock) {
    InterruptionMetrics metrics = new InterruptionMetrics(clock, emf);
    Reruns reruns = new Reruns(settings, github, parameters, instances, metrics, clock);
    return new Interruptions(settings, instances, github, parameters, reruns, metrics, clock);
  }
}
