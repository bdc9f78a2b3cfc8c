package dev.spotrunner.runners.scaledown;

/** Which idle runners go first when there are more than the warm count: the oldest or the newest. */
public enum Eviction {
  OLDEST,
  NEWEST
}
