package dev.spotrunner.common.github;

import java.util.List;

/** Body of generate-jitconfig: runner name, labels, runner group id and work folder. */
public record JitRequest(String name, List<String> labels, long runnerGroupId, String workFolder) {
  public JitRequest {
    labels = List.copyOf(labels);
    workFolder = workFolder == null ? "_work" : workFolder;
  }
}
