package dev.spotrunner.local.lambda;

/** Invokes one function with one event; {@link LambdaProcess} is one. */
@FunctionalInterface
public interface Invoker {
  InvocationResult invoke(String event);
}
