package dev.spotrunner.local;

import com.sun.net.httpserver.HttpServer;
import dev.spotrunner.common.json.Json;
import dev.spotrunner.common.log.Log;
import dev.spotrunner.local.github.StandInGitHub;
import dev.spotrunner.local.stack.LocalStack;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code up}: start the local stack and print its endpoints. {@code demo}: start it, run a burst of
 * jobs, print a summary, exit 0 only when every job completed and no instance is left.
 */
public final class Main {
  private Main() {}

  static final String USAGE =
      "usage: spotrunner up|demo [--jobs N] [--reclaim N] [--port P] [--var NAME=VALUE]... [--open]";

  /**
   * The command line: {@code up} or {@code demo} (the default) and its options; {@code open} opens
   * the live dashboard in the desktop's browser once the stack is up.
   */
  record Arguments(String command, int jobs, int reclaims, Integer port, Map<String, String> variables,
      boolean open) {
    static Arguments parse(String... args) {
      String command = args.length == 0 ? "demo" : args[0];
      if (!command.equals("demo") && !command.equals("up")) {
        throw new IllegalArgumentException("unknown command " + command);
      }
      int jobs = 12;
      int reclaims = 0;
      Integer port = null;
      boolean open = false;
      Map<String, String> variables = new java.util.LinkedHashMap<>();
      for (int i = 1; i < args.length; i++) {
        String option = args[i];
        switch (option) {
          case "--jobs" -> jobs = number(option, value(args, ++i, option));
          case "--port" -> port = number(option, value(args, ++i, option));
          case "--var" -> variables.putAll(variable(value(args, ++i, option)));
          case "--reclaim" -> reclaims = number(option, value(args, ++i, option));
          case "--open" -> open = true;
          default -> throw new IllegalArgumentException("unknown option " + option);
        }
      }
      return new Arguments(command, jobs, reclaims, port, Map.copyOf(variables), open);
    }

    private static String value(String[] args, int at, String option) {
      if (at >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[at];
    }

    private static int number(String option, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n < 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " takes a whole number, got '" + value + "'");
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Path root = Path.of(System.getProperty("spotrunner.root", ".")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-local-");
    // The stack's own log goes to a file; the console keeps the live view and the summary.
    Files.createDirectories(workDir.resolve("logs"));
    Log.setOutput(new PrintStream(Files.newOutputStream(workDir.resolve("logs/local.log")), true,
        StandardCharsets.UTF_8));
    LocalStack.Options options = LocalStack.Options.defaults(root, workDir);
    if (arguments.port() != null) {
      options = options.withGatewayPort(arguments.port());
    }
    if (!arguments.variables().isEmpty()) {
      options = options.withTerraformVariables(arguments.variables());
    }
    Optional<Browser> browser = arguments.open() ? Optional.of(Browser.ofThisDesktop()) : Optional.empty();
    switch (arguments.command()) {
      case "up" -> up(options, browser);
      default -> System.exit(demo(options, arguments.jobs(), arguments.reclaims(), browser) ? 0 : 1);
    }
  }

  /**
   * {@code NAME=VALUE} of one examples/local variable, handed to Terraform as {@code TF_VAR_NAME}
   * (HCL for lists and objects): how a demo runs other limits than the example's defaults.
   */
  static Map<String, String> variable(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--var takes NAME=VALUE, got '" + assignment + "'");
    }
    return Map.of(assignment.substring(0, eq), assignment.substring(eq + 1));
  }

  static boolean demo(LocalStack.Options options, int jobs, int reclaims, Optional<Browser> browser)
      throws IOException {
    System.out.println("starting the local stack (moto, GitHub stand-in, terraform apply, functions) in "
        + options.workDir());
    try (LocalStack stack = LocalStack.start(options, StandInGitHub.start())) {
      // Ctrl-C or a kill still stops moto and the function JVMs.
      Thread stopper = new Thread(stack::close);
      Runtime.getRuntime().addShutdownHook(stopper);
      System.out.println("webhook " + stack.webhookUrl() + "  moto " + stack.motoEndpoint()
          + "  github " + stack.github().apiUrl());
      System.out.println("dashboard " + stack.dashboardUrl() + "  (open it in a browser: the applied dashboard, live)");
      browser.ifPresent(b -> b.open(URI.create(stack.dashboardUrl()), System.out));
      System.out.println();
      System.out.println("running with (what Terraform applied to examples/local, read back from moto):");
      stack.settings().print(System.out);
      System.out.println();
      Demo demo = new Demo(stack, System.out);
      // each reclaim takes about a minute: launch, the notice, the re-run's launch and run
      return demo.run(Demo.burst(stack.deployment(), jobs, 7),
          Duration.ofMinutes(6).plus(Duration.ofMinutes(2).multipliedBy(reclaims)), reclaims).passed();
    }
  }

  static void up(LocalStack.Options options, Optional<Browser> browser) throws Exception {
    LocalStack stack = LocalStack.start(options, StandInGitHub.start());
    HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    control.createContext("/jobs", exchange -> {
      try (exchange) {
        var body = Json.MAPPER.readTree(exchange.getRequestBody());
        List<String> labels = new ArrayList<>();
        body.path("labels").forEach(l -> labels.add(l.asText()));
        long id = stack.github().queueJob(body.path("repository").asText("acme/api"), labels,
            Duration.ofSeconds(body.path("runSeconds").asLong(10)));
        byte[] answer = Json.write(Map.of("jobId", id)).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(201, answer.length);
        exchange.getResponseBody().write(answer);
      }
    });
    control.start();
    String jobsUrl = "http://127.0.0.1:" + control.getAddress().getPort() + "/jobs";
    List<String> labels = stack.deployment().jobLabels(stack.deployment().pools().getFirst());
    System.out.println();
    System.out.println("spotrunner local stack is up (work dir " + options.workDir() + ")");
    System.out.println("  webhook URL      " + stack.webhookUrl());
    System.out.println("  AWS (moto)       " + stack.motoEndpoint());
    System.out.println("  GitHub stand-in  " + stack.github().apiUrl());
    System.out.println("  dashboard        " + stack.dashboardUrl() + "  (open it in a browser)");
    System.out.println("  pools            " + stack.deployment().pools().stream().map(p -> p.name()).toList());
    System.out.println();
    stack.settings().print(System.out);
    System.out.println();
    System.out.println("queue a job (GitHub then sends the signed workflow_job webhook):");
    System.out.printf(Locale.ROOT, "  curl -s -X POST %s -d '{\"repository\":\"acme/api\",\"labels\":%s,\"runSeconds\":10}'%n",
        jobsUrl, Json.write(labels));
    System.out.println("Ctrl-C stops everything.");
    browser.ifPresent(b -> b.open(URI.create(stack.dashboardUrl()), System.out));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      control.stop(0);
      stack.close();
      stop.countDown();
    }));
    stop.await();
  }
}
