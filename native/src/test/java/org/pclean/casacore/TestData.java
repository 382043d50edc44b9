package org.pclean.casacore;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real MeasurementSets in shared/testdata, unpacked into a test's temporary directory. */
public final class TestData {
  public static final String VLA = "vla_day2_TDEM0003_J1008+0730.ms";
  public static final String LWA = "ovro_lwa_20180321_downselected.ms";

  private TestData() {}

  public static Path directory() {
    return Path.of(System.getProperty("pclean.testdata", "../../shared/testdata")).toAbsolutePath().normalize();
  }

  /** Whether an executable (e.g. the wsclean oracle) is on PATH. */
  public static boolean onPath(String exe) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, exe))) {
        return true;
      }
    }
    return false;
  }

  /** Unpacks {@code name}.tgz into dir and returns the MS path; skips (with the reason) when shared/ is absent. */
  public static Path unpack(String name, Path dir) throws IOException, InterruptedException {
    Path tgz = directory().resolve(name + ".tgz");
    assumeTrue(Files.exists(tgz), "real test MS not found at " + tgz + " (shared/testdata sits beside the project)");
    Process p = new ProcessBuilder(List.of("tar", "xzf", tgz.toString(), "-C", dir.toString()))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("cannot unpack " + tgz + ": " + out);
    }
    try (var s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".ms")).findFirst()
          .orElseThrow(() -> new IOException(tgz + " holds no .ms directory"));
    }
  }
}
