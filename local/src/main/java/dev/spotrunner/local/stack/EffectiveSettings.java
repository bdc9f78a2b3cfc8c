package dev.spotrunner.local.stack;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every timing and limit the running local stack uses, each with where it came from: read back from
 * the emulated AWS that Terraform applied to, or — for what AWS does not know, such as a simulated
 * machine's boot time — a local stack option, marked as such.
 */
public record EffectiveSettings(List<Setting> settings) {
  /** One value: its scope (a pool or "stack"), its name, the value with its unit, and its source. */
  public record Setting(String scope, String name, String value, String unit, String source) {
    public String shown() {
      return unit.isEmpty() ? value : value + " " + unit;
    }
  }

  public EffectiveSettings {
    settings = List.copyOf(settings);
  }

  /** The value of one setting, without its unit. */
  public Optional<String> value(String scope, String name) {
    return settings.stream().filter(s -> s.scope().equals(scope) && s.name().equals(name))
        .map(Setting::value).findFirst();
  }

  public void print(PrintStream out) {
    int scopeWidth = Math.max(5, settings.stream().mapToInt(s -> s.scope().length()).max().orElse(0));
    int nameWidth = settings.stream().mapToInt(s -> s.name().length()).max().orElse(0);
    int valueWidth = settings.stream().mapToInt(s -> s.shown().length()).max().orElse(0);
    String format = "%-" + scopeWidth + "s  %-" + nameWidth + "s  %-" + valueWidth + "s  %s%n";
    out.printf(Locale.ROOT, format, "scope", "setting", "value", "source");
    for (Setting s : settings) {
      out.printf(Locale.ROOT, format, s.scope(), s.name(), s.shown(), s.source());
    }
  }
}
