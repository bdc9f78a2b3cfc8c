package dev.spotrunner.local.driver;

import dev.spotrunner.local.lambda.InvocationResult;

/** Invokes one function with one event; {@link dev.spotrunner.local.lambda.LambdaProcess} is one. */
@FunctionalInterface
public interface Invoker {
  InvocationResult invoke(String event);
}
