package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.github.GitHubApps;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.runners.launch.RunnerConfigs;
import dev.spotrunner.runners.launch.RunnerLauncher;
import java.time.Clock;
import java.util.Map;

/** Builds the production {@link ScaleDown} from the environment, once per container. */
final class ScaleDownWiring {
  private ScaleDownWiring() {}

  static ScaleDown fromEnv(Map<String, String> env) {
    return create(env, AwsClients.fromEnv(env), Clock.systemUTC());
  }

  /** The same wiring on given AWS clients (integration tests point them at the emulator). */
  static ScaleDown create(Map<String, String> env, AwsClients aws, Clock clock) {
    ScaleDownSettings settings = ScaleDownSettings.fromEnv(env);
    Parameters parameters = new SsmParameters(aws.ssm(), clock);
    GitHubRunners github = GitHubApps.fromEnv(new Env(env), parameters, clock);
    RunnerFleet fleet = new Ec2RunnerFleet(aws.ec2());
    RunnerLauncher launcher = new RunnerLauncher(settings.pool(), fleet, github, parameters,
        new RunnerConfigs(settings.pool(), github, clock));
    LaunchedWarmRunners launched = new LaunchedWarmRunners(launcher, clock);
    return new ScaleDown(settings, fleet, github, parameters,
        RequestBudget.governedBy(github, clock), launched, launched, Emf.stdout(), clock);
  }
}
