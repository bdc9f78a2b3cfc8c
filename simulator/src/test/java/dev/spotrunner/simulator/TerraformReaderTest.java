package dev.spotrunner.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The configuration the simulator reads is the one Terraform deploys, check blocks aside. */
class TerraformReaderTest {
  @Test
  void dropsCheckBlocksWithTheirNestedBracesAndKeepsEverythingElse() {
    String hcl = """
        locals { a = 1 }

        check "persistent" {
          assert {
            condition     = length([for p in var.pools : p if p.x]) == 0
            error_message = "Pools ${join(", ", [for p in var.pools : p.name])} warn."
          }
        }

        resource "aws_sqs_queue" "jobs" { name = "q" }
        """;

    String stripped = TerraformReader.withoutChecks(hcl);

    assertThat(stripped).doesNotContain("check \"persistent\"").doesNotContain("assert")
        .contains("locals { a = 1 }").contains("resource \"aws_sqs_queue\" \"jobs\" { name = \"q\" }");
  }
}
