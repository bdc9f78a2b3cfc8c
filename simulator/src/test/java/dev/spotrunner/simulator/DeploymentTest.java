package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spotrunner.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a deployment from Terraform's state JSON, and the reader's light helpers. */
class DeploymentTest {
  private static final String MODULE = "module.s.module.runners[\"p\"]";

  private static ObjectNode resource(ArrayNode into, String address, String type) {
    ObjectNode r = into.addObject().put("address", address).put("mode", "managed").put("type", type);
    return r.putObject("values");
  }

  private static void env(ObjectNode values, String... keyValues) {
    ObjectNode vars = values.putArray("environment").addObject().putObject("variables");
    for (int i = 0; i < keyValues.length; i += 2) {
      vars.put(keyValues[i], keyValues[i + 1]);
    }
  }

  /** The state of one pool as Terraform records it; redrive null: a queue without a DLQ. */
  private static JsonNode state(String redrive, String schedule, Integer reserved) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("address", "");
    ArrayNode modules = root.putArray("child_modules");
    ObjectNode webhook = modules.addObject().put("address", "module.s.module.webhook.module.function");
    ObjectNode hook = resource(webhook.putArray("resources"),
        "module.s.module.webhook.module.function.aws_lambda_function.this", "aws_lambda_function");
    hook.put("handler", "dev.spotrunner.webhook.WebhookHandler::handleRequest");
    env(hook, "POOLS", "[{\"name\":\"p\",\"labels\":[\"x\"],\"queueUrl\":\"q\",\"delaySeconds\":7}]");
    // the pool's module with its two modules/function calls
    ObjectNode pool = modules.addObject().put("address", MODULE);
    ArrayNode rs = pool.putArray("resources");
    ArrayNode upRs = pool.putArray("child_modules").addObject().put("address", MODULE + ".module.scale_up")
        .putArray("resources");
    ArrayNode downRs = ((ArrayNode) pool.get("child_modules")).addObject()
        .put("address", MODULE + ".module.scale_down").putArray("resources");
    ObjectNode up = resource(upRs, MODULE + ".module.scale_up.aws_lambda_function.this", "aws_lambda_function");
    up.put("handler", "dev.spotrunner.runners.scaleup.ScaleUpHandler::handleRequest").put("timeout", 120);
    if (reserved == null) {
      up.putNull("reserved_concurrent_executions");
    } else {
      up.put("reserved_concurrent_executions", reserved);
    }
    env(up, "POOL_NAME", "p", "MAX_RUNNERS", "3");
    ObjectNode down = resource(downRs, MODULE + ".module.scale_down.aws_lambda_function.this",
        "aws_lambda_function");
    down.put("handler", "dev.spotrunner.runners.scaledown.ScaleDownHandler::handleRequest");
    env(down, "POOL_NAME", "p");
    resource(rs, MODULE + ".aws_sqs_queue.dlq", "aws_sqs_queue")
        .put("visibility_timeout_seconds", 30).put("redrive_policy", "mocked");
    ObjectNode jobs = resource(rs, MODULE + ".aws_sqs_queue.jobs", "aws_sqs_queue")
        .put("visibility_timeout_seconds", 720).put("delay_seconds", 7);
    if (redrive != null) {
      jobs.put("redrive_policy", redrive);
    }
    ObjectNode mapping = resource(rs, MODULE + ".aws_lambda_event_source_mapping.jobs",
        "aws_lambda_event_source_mapping").put("batch_size", 10)
        .put("maximum_batching_window_in_seconds", 0);
    mapping.putArray("scaling_config").addObject().put("maximum_concurrency", 4);
    resource(downRs, MODULE + ".module.scale_down.aws_cloudwatch_event_rule.schedule[0]",
        "aws_cloudwatch_event_rule")
        .put("schedule_expression", schedule);
    return root;
  }

  private static final String REDRIVE = "{\"deadLetterTargetArn\":\"arn:dlq\",\"maxReceiveCount\":5}";

  @Test
  void readsEachPoolsQueueMappingConcurrencyAndScheduleWithTheirAddresses() {
    Deployment d = Deployment.fromState("cfg", state(REDRIVE, "rate(2 hours)", 8));

    Deployment.DeployedPool pool = d.pools().getFirst();
    assertThat(pool.name()).isEqualTo("p");
    assertThat(pool.visibilityTimeoutSeconds()).isEqualTo(720);
    assertThat(pool.maxReceiveCount()).isEqualTo(5);
    assertThat(pool.deadLetterTarget()).isEqualTo("arn:dlq");
    assertThat(pool.batchSize()).isEqualTo(10);
    // reserved 8, mapping maximum 4: Lambda runs at most 4
    assertThat(pool.scaleUpConcurrency()).isEqualTo(4);
    assertThat(pool.scaleDownEveryMinutes()).isEqualTo(120);
    assertThat(pool.scaleUpEnv()).containsEntry("MAX_RUNNERS", "3");
    assertThat(pool.sources().get("queue.maxReceiveCount"))
        .isEqualTo(MODULE + ".aws_sqs_queue.jobs.redrive_policy.maxReceiveCount");
    assertThat(d.settings()).anyMatch(s -> s.name().equals("scale_up.MAX_RUNNERS")
        && s.value().equals("3")
        && s.source().endsWith("module.scale_up.aws_lambda_function.this.environment.variables"));
    assertThat(pool.sources().get("scale_down.schedule_expression"))
        .isEqualTo(MODULE + ".module.scale_down.aws_cloudwatch_event_rule.schedule[0].schedule_expression");
  }

  @Test
  void aCronScheduleIsRefusedRatherThanGuessed() {
    Deployment d = Deployment.fromState("cfg", state(REDRIVE, "cron(0/5 * * * ? *)", null));

    assertThat(d.pools().getFirst().scaleUpConcurrency()).isEqualTo(4);
    assertThatThrownBy(() -> d.pools().getFirst().scaleDownEveryMinutes())
        .hasMessageContaining("rate(");
  }

  @Test
  void aJobQueueWithoutADeadLetterQueueIsAnError() {
    assertThatThrownBy(() -> Deployment.fromState("cfg", state(null, "rate(5 minutes)", 1)))
        .hasMessageContaining("expected one aws_sqs_queue");
  }

  @Test
  void findsTheRequiredRootVariablesAndWhatAVarFileGives(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("variables.tf"), """
        variable "vpc_id" {
          type = string
        }
        variable "region" {
          type    = string
          default = "eu-west-1"
        }
        variable "pools" {
          type = list(object({ name = string }))
          validation {
            condition     = length(var.pools) > 0
            error_message = "at least one"
          }
        }
        """);

    assertThat(TerraformReader.requiredVariables(dir)).containsExactly("vpc_id", "pools");
    assertThat(TerraformReader.assignments("vpc_id = \"vpc-1\"\n# c\npools = []\n").keySet())
        .containsExactly("pools", "vpc_id");
  }
}
