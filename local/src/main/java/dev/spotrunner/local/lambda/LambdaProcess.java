package dev.spotrunner.local.lambda;

import static dev.spotrunner.common.log.Log.entry;

import dev.spotrunner.common.log.Log;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one function as Lambda does: its own JVM, started with the function's jar and environment,
 * whose main is the AWS Lambda Runtime Interface Client polling this stack's {@link RuntimeApi}.
 * One execution environment: invocations are served one at a time ({@link FunctionPool} runs
 * several for concurrency). A process that dies or times out is replaced on the next invocation,
 * which is then a cold start again.
 */
public final class LambdaProcess implements AutoCloseable {
  private static final Log log = Log.of(LambdaProcess.class);
  static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
  /**
   * Where the runtime interface client loads its JNI library from. Without it, every client copies
   * the library to the same {@code /tmp/.libaws-lambda-jni.so} and loads it: JVMs starting together
   * overwrite the file under each other and crash (SIGBUS in the loader).
   */
  static final String NATIVE_LIBRARY_PROPERTY =
      "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

  private final FunctionSpec spec;
  private final Path logDirectory;
  private final Clock clock;
  private final RuntimeApi api;
  private final List<ColdStart> coldStarts = new ArrayList<>();
  private Process process;
  private Instant startedAt;
  private boolean firstInvocation;

  /** Init: process start until the runtime first polls; first: the first invocation's round trip. */
  public record ColdStart(String function, Duration init, Duration firstInvocation) {}

  public LambdaProcess(FunctionSpec spec, Path logDirectory, Clock clock) throws IOException {
    this.spec = spec;
    this.logDirectory = logDirectory;
    this.clock = clock;
    this.api = new RuntimeApi(spec.arn(), clock);
    Files.createDirectories(logDirectory);
  }

  public FunctionSpec spec() {
    return spec;
  }

  /** Starts the JVM now rather than on the first invocation. */
  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    api.resetInit();
    api.resetFirstPoll();
    List<String> command = new ArrayList<>(List.of(javaBinary(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "--enable-native-access=ALL-UNNAMED",
        "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary(logDirectory),
        "-Xmx" + Math.max(64, spec.memoryMb() * 85 / 100) + "m",
        "-Djava.net.preferIPv4Stack=true",
        "-cp", classPath(spec.jar()), RIC_MAIN, spec.handler()));
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> env = builder.environment();
    env.clear();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", System.getProperty("java.io.tmpdir"));
    env.putAll(spec.environment());
    env.put("AWS_LAMBDA_RUNTIME_API", api.address());
    env.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
    env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
    env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec.name());
    env.put("AWS_LAMBDA_LOG_STREAM_NAME", "local");
    env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
    env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    env.put("LAMBDA_TASK_ROOT", logDirectory.toAbsolutePath().toString());
    env.put("_HANDLER", spec.handler());
    env.putIfAbsent("AWS_REGION", "us-east-1");
    env.putIfAbsent("AWS_DEFAULT_REGION", env.get("AWS_REGION"));
    File logFile = logDirectory.resolve(spec.name() + ".log").toFile();
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile));
    startedAt = clock.instant();
    process = builder.start();
    firstInvocation = true;
    log.info("function started", entry("function", spec.name()), entry("pid", process.pid()),
        entry("log", logFile.toString()));
  }

  /** Invokes the function with one event and waits for its answer, at most its timeout. */
  public InvocationResult invoke(String event) {
    synchronized (this) {
      try {
        start();
      } catch (IOException e) {
        return InvocationResult.failure("-", "Runtime.StartError", e.getMessage());
      }
      Instant sent = clock.instant();
      var future = api.submit(event, spec.timeout());
      InvocationResult result;
      try {
        result = waitFor(future, spec.timeout().plusSeconds(firstInvocation ? 60 : 0));
      } catch (TimeoutException e) {
        log.warn("function timed out", entry("function", spec.name()),
            entry("timeout_s", spec.timeout().toSeconds()));
        stop();
        api.failAll("Sandbox.Timedout", "Task timed out after " + spec.timeout().toSeconds() + " s");
        return InvocationResult.failure("-", "Sandbox.Timedout", "Task timed out");
      }
      if (firstInvocation) {
        firstInvocation = false;
        Instant polled = api.firstPoll();
        Duration init = polled == null ? Duration.ZERO : Duration.between(startedAt, polled);
        ColdStart cold = new ColdStart(spec.name(), init, Duration.between(sent, clock.instant()));
        coldStarts.add(cold);
        log.info("cold start", entry("function", spec.name()), entry("init_ms", init.toMillis()),
            entry("first_invocation_ms", cold.firstInvocation().toMillis()));
      }
      if (result.failed() && api.initError() != null) {
        stop();
      }
      return result;
    }
  }

  private InvocationResult waitFor(java.util.concurrent.CompletableFuture<InvocationResult> future,
      Duration limit) throws TimeoutException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        return future.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (!process.isAlive()) {
          api.failAll("Runtime.ExitError", "process exited with " + process.exitValue());
        } else if (System.nanoTime() > deadline) {
          throw e;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return InvocationResult.failure("-", "Runtime.Interrupted", "interrupted");
      } catch (ExecutionException e) {
        return InvocationResult.failure("-", "Runtime.Unknown", String.valueOf(e.getCause()));
      }
    }
  }

  /** Every invocation this execution environment's runtime answered. */
  public List<RuntimeApi.Served> served() {
    return api.served();
  }

  /** The JVM's process id, or -1 before it started. */
  public synchronized long pid() {
    return process == null ? -1 : process.pid();
  }

  public synchronized List<ColdStart> coldStarts() {
    return List.copyOf(coldStarts);
  }

  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  private synchronized void stop() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    stop();
    api.close();
  }

  /** Extracts the client's JNI library for this platform once per directory. */
  static synchronized String nativeLibrary(Path directory) throws IOException {
    String arch = System.getProperty("os.arch").contains("aarch64") ? "aarch_64" : "x86_64";
    boolean musl = Files.exists(Path.of("/lib/ld-musl-" + (arch.equals("x86_64") ? "x86_64" : "aarch64") + ".so.1"));
    String name = "libaws-lambda-jni.linux" + (musl ? "_musl-" : "-") + arch + ".so";
    Path target = directory.toAbsolutePath().resolve(".ric").resolve(name);
    if (!Files.exists(target)) {
      Files.createDirectories(target.getParent());
      try (var in = Class.forName(RIC_MAIN, false, LambdaProcess.class.getClassLoader())
          .getResourceAsStream("/jni/" + name)) {
        if (in == null) {
          throw new IOException("the runtime interface client has no " + name);
        }
        Path partial = Files.createTempFile(target.getParent(), name, ".part");
        Files.copy(in, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (ClassNotFoundException e) {
        throw new IOException("runtime interface client not on the class path", e);
      }
    }
    return target.toString();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The function jar first, then the runtime interface client and what it needs. */
  static String classPath(Path functionJar) {
    List<String> entries = new ArrayList<>();
    entries.add(functionJar.toAbsolutePath().toString());
    for (String type : List.of(RIC_MAIN,
        "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
        "software.amazon.awssdk.utilslite.SdkInternalThreadLocal",
        "com.amazonaws.services.lambda.runtime.RequestHandler")) {
      entries.add(locationOf(type));
    }
    return String.join(File.pathSeparator, entries.stream().distinct().toList());
  }

  private static String locationOf(String className) {
    try {
      Class<?> type = Class.forName(className, false, LambdaProcess.class.getClassLoader());
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (ClassNotFoundException | URISyntaxException e) {
      throw new IllegalStateException("runtime interface client not on the class path: " + className, e);
    }
  }
}
