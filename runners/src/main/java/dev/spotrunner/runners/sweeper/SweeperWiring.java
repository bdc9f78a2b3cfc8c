package dev.spotrunner.runners.sweeper;

import dev.spotrunner.common.PermanentFailure;
import dev.spotrunner.common.aws.AwsClients;
import dev.spotrunner.common.github.AppJwt;
import dev.spotrunner.common.github.AppPrivateKey;
import dev.spotrunner.common.github.GitHubAppSettings;
import dev.spotrunner.common.github.GovernorLimits;
import dev.spotrunner.common.github.RequestGovernor;
import dev.spotrunner.common.github.Sleeper;
import dev.spotrunner.common.parameters.Parameters;
import dev.spotrunner.common.parameters.SsmParameters;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the production {@link Sweeper} from the environment, once per container. */
final class SweeperWiring {
  private SweeperWiring() {}

  static Sweeper fromEnv(Map<String, String> env) {
    return create(env, new SsmParameters(AwsClients.fromEnv(env).ssm(), Clock.systemUTC()),
        Clock.systemUTC(), Sleeper.REAL, GovernorLimits.GITHUB);
  }

  /** The same wiring on given parameters, clock and limits (integration tests use the stand-in). */
  static Sweeper create(Map<String, String> env, Parameters parameters, Clock clock,
      Sleeper sleeper, GovernorLimits limits) {
    SweeperSettings settings = SweeperSettings.fromEnv(env);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    // one delivery log per App, each with its own JWT and its own governor
    List<HookDeliveries> apps = new ArrayList<>();
    for (GitHubAppSettings.App app : settings.github().apps()) {
      // the key is read on the first call, not at construction: nothing secret before it is needed
      Supplier<AppJwt> jwt = memoize(() -> new AppJwt(
          parameter(parameters, app.idParameter()).trim(),
          AppPrivateKey.parse(parameter(parameters, app.keyParameter())),
          clock));
      apps.add(new HttpHookDeliveries(settings.github().apiUrl(), client,
          new RequestGovernor(clock, sleeper, limits), jwt));
    }
    return new Sweeper(settings, apps, clock);
  }

  private static String parameter(Parameters parameters, String name) {
    return parameters.get(name).orElseThrow(
        () -> new PermanentFailure("SSM parameter " + name + " does not exist"));
  }

  private static <T> Supplier<T> memoize(Supplier<T> supplier) {
    return new Supplier<>() {
      private T value;

      @Override
      public synchronized T get() {
        if (value == null) {
          value = supplier.get();
        }
        return value;
      }
    };
  }
}
