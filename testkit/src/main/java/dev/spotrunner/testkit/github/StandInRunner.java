package dev.spotrunner.testkit.github;

import java.util.List;

/**
 * A self-hosted runner held by the stand-in. {@code ownerPath} is {@code orgs/acme} or
 * {@code repos/acme/api}; status is online or offline.
 */
public record StandInRunner(long id, String ownerPath, String name, String status, boolean busy,
    boolean ephemeral, List<String> labels, long groupId) {
  public StandInRunner {
    labels = List.copyOf(labels);
  }

  public StandInRunner with(String newStatus, boolean newBusy) {
    return new StandInRunner(id, ownerPath, name, newStatus, newBusy, ephemeral, labels, groupId);
  }
}
