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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code up}: start the local stack and print its endpoints. {@code demo}: start it, run a burst of
 * jobs, print a summary, exit 0 only when every job completed and no instance is left.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "demo" : args[0];
    Path root = Path.of(System.getProperty("spotrunner.root", ".")).toAbsolutePath().normalize();
    Path workDir = Files.createTempDirectory("spotrunner-local-");
    // The stack's own log goes to a file; the console keeps the live view and the summary.
    Files.createDirectories(workDir.resolve("logs"));
    Log.setOutput(new PrintStream(Files.newOutputStream(workDir.resolve("logs/local.log")), true,
        StandardCharsets.UTF_8));
    LocalStack.Options options = LocalStack.Options.defaults(root, workDir);
    int jobs = 12;
    int reclaims = 0;
    java.util.Map<String, String> variables = new java.util.LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--jobs" -> jobs = Integer.parseInt(args[++i]);
        case "--port" -> options = options.withGatewayPort(Integer.parseInt(args[++i]));
        case "--var" -> variables.putAll(variable(args[++i]));
        case "--reclaim" -> reclaims = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    if (!variables.isEmpty()) {
      options = options.withTerraformVariables(variables);
    }
    switch (command) {
      case "up" -> up(options);
      case "demo" -> System.exit(demo(options, jobs, reclaims) ? 0 : 1);
      default -> {
        System.err.println("usage: spotrunner up|demo [--jobs N] [--reclaim N] [--port P] [--var NAME=VALUE]...");
        System.exit(2);
      }
    }
  }

  /**
   * {@code NAME=VALUE} of one examples/local variable, handed to Terraform as {@code TF_VAR_NAME}
   * (HCL for lists and objects): how a demo runs other limits than the example's defaults.
   */
  static java.util.Map<String, String> variable(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--var takes NAME=VALUE, got '" + assignment + "'");
    }
    return java.util.Map.of(assignment.substring(0, eq), assignment.substring(eq + 1));
  }

  static boolean demo(LocalStack.Options options, int jobs, int reclaims) throws IOException {
    System.out.println("starting the local stack (moto, GitHub stand-in, terraform apply, functions) in "
        + options.workDir());
    try (LocalStack stack = LocalStack.start(options, StandInGitHub.start())) {
      // Ctrl-C or a kill still stops moto and the function JVMs.
      Thread stopper = new Thread(stack::close);
      Runtime.getRuntime().addShutdownHook(stopper);
      System.out.println("webhook " + stack.webhookUrl() + "  moto " + stack.motoEndpoint()
          + "  github " + stack.github().apiUrl());
      System.out.println("dashboard " + stack.dashboardUrl() + "  (open it in a browser: the applied dashboard, live)");
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

  static void up(LocalStack.Options options) throws Exception {
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
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      control.stop(0);
      stack.close();
      stop.countDown();
    }));
    stop.await();
  }
}
