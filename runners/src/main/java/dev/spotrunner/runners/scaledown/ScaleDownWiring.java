package dev.spotrunner.runners.scaledown;

import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.config.Env;
import dev.spotrunner.common.fleet.Ec2RunnerFleet;
import dev.spotrunner.common.fleet.RunnerFleet;
import dev.spotrunner.common.github.GitHubApps;
import dev.spotrunner.common.github.GitHubRunners;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import dev.spotrunner.common.queue.JobQueue;
import dev.spotrunner.common.queue.SqsJobQueue;
import dev.spotrunner.runners.pool.PoolQueues;
import dev.spotrunner.runners.redrive.Redrive;
import java.time.Clock;
import java.util.Map;

/** Builds the production {@link ScaleDown} from the environment, once per container. */
final class ScaleDownWiring {
  private ScaleDownWiring() {}

  /** The cycle and the DLQ redrive that follows it (null: none), on one set of AWS clients. */
  record Wired(ScaleDown scaleDown, Redrive redrive) {}

  static Wired fromEnv(Map<String, String> env) {
    AwsClients aws = AwsClients.fromEnv(env);
    return new Wired(create(env, aws, Clock.systemUTC()), redrive(env, aws, Clock.systemUTC()));
  }

  /** The same wiring on given AWS clients (integration tests point them at the emulator). */
  static ScaleDown create(Map<String, String> env, AwsClients aws, Clock clock) {
    ScaleDownSettings settings = ScaleDownSettings.fromEnv(env);
    PoolQueues queues = PoolQueues.fromEnv(env);
    Parameters parameters = new SsmParameters(aws.ssm(), clock);
    GitHubRunners github = GitHubApps.fromEnv(new Env(env), parameters, clock);
    RunnerFleet fleet = new Ec2RunnerFleet(aws.ec2());
    // Only scale-up launches: warm runners and rescues are asked for on the pool's queue.
    QueuedLaunches launches = new QueuedLaunches(settings.pool(), queue(aws), queues.queueUrl(),
        clock);
    return new ScaleDown(settings, fleet, github, parameters,
        RequestBudget.governedBy(github, clock), launches, Emf.stdout(), clock);
  }

  /** The DLQ redrive run after each cycle; null when Terraform set no DLQ. */
  static Redrive redrive(Map<String, String> env, AwsClients aws, Clock clock) {
    ScaleDownSettings settings = ScaleDownSettings.fromEnv(env);
    PoolQueues queues = PoolQueues.fromEnv(env);
    if (queues.deadLetterUrl() == null || queues.redriveMax() == 0) {
      return null;
    }
    Parameters parameters = new SsmParameters(aws.ssm(), clock);
    GitHubRunners github = GitHubApps.fromEnv(new Env(env), parameters, clock);
    return new Redrive(settings.pool().poolName(), queue(aws), queues.queueUrl(),
        queues.deadLetterUrl(), queues.redriveMax(), github, System.out::println, clock);
  }

  private static JobQueue queue(AwsClients aws) {
    return new SqsJobQueue(aws.sqs());
  }
}
