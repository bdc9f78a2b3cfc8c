package dev.spotrunner.common.config;

/** The spotrunner Lambda functions, with the handler strings Terraform configures. */
public enum LambdaFunction {
  WEBHOOK("dev.spotrunner.webhook.WebhookHandler::handleRequest"),
  SCALE_UP("dev.spotrunner.runners.scaleup.ScaleUpHandler::handleRequest"),
  SCALE_DOWN("dev.spotrunner.runners.scaledown.ScaleDownHandler::handleRequest"),
  BINARY_SYNCER("dev.spotrunner.syncer.BinarySyncerHandler::handleRequest"),
  SWEEPER("dev.spotrunner.runners.sweeper.SweeperHandler::handleRequest"),
  INTERRUPTIONS("dev.spotrunner.runners.interruption.InterruptionHandler::handleRequest");

  private final String handler;

  LambdaFunction(String handler) {
    this.handler = handler;
  }

  public String handler() {
    return handler;
  }
}
