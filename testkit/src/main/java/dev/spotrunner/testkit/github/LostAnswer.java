package dev.spotrunner.testkit.github;

/** How the stand-in loses an answer after doing the work (see {@link GitHubStandIn#loseNextAnswers}). */
public enum LostAnswer {
  /** A 502 from GitHub's front end instead of the answer. */
  BAD_GATEWAY,
  /** The connection closes before any answer: the client sees an I/O error. */
  CONNECTION_CLOSED
}
