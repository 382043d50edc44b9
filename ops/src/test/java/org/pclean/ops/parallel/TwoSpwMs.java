package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Test tooling: two simulated MSs of one observation layout joined into one MS with two spectral windows, by
 * python3-casacore running imager-stream's merge_spws.py (skipped, with the reason, where it is not installed).
 */
final class TwoSpwMs {
  private TwoSpwMs() {}

  static Path join(Path out, Path a, Path b) throws Exception {
    Process check = new ProcessBuilder("/usr/bin/python3", "-c", "import casacore.tables").start();
    Assumptions.assumeTrue(check.waitFor() == 0,
        "python3-casacore is not installed for /usr/bin/python3 (it joins two MSs into one two-spw MS)");
    Process join = new ProcessBuilder("/usr/bin/python3", "../imager-stream/src/test/resources/merge_spws.py",
        out.toString(), a.toString(), b.toString()).redirectErrorStream(true).start();
    String said = new String(join.getInputStream().readAllBytes());
    assertEquals(0, join.waitFor(), said);
    return out;
  }
}
