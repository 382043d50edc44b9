package org.pclean.ops.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory sizes as sites write them (SLURM's and pclean's forms) and the machine's available memory. */
public final class MemorySize {
  private static final Pattern MEMORY = Pattern.compile("\\s*([0-9]*\\.?[0-9]+)\\s*([KMGT]?)(i?B)?\\s*",
      Pattern.CASE_INSENSITIVE);

  private MemorySize() {}

  /** "20GB", "8G", "512MiB", "1.5GB", "4096" (MB, sbatch's default unit) as MiB; key names the value in errors. */
  public static long mib(String text, String key) {
    Matcher m = MEMORY.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new ConfigException(key + " = '" + text + "' is not a memory size (e.g. 20GB, 8G, 512MB)");
    }
    double v = Double.parseDouble(m.group(1));
    double mib = switch (m.group(2).toUpperCase(Locale.ROOT)) {
      case "K" -> v / 1024;
      case "G" -> v * 1024;
      case "T" -> v * 1024 * 1024;
      default -> v;
    };
    if (mib < 1) {
      throw new ConfigException(key + " = '" + text + "' is less than 1 MB");
    }
    return (long) Math.ceil(mib);
  }

  /** The kernel's MemAvailable (what can be allocated without swapping), empty where /proc/meminfo is missing. */
  public static OptionalLong availableBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) * 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux, or an unexpected format: no limit is derived
    }
    return OptionalLong.empty();
  }
}
