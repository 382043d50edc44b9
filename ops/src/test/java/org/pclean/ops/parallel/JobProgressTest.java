package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The plain progress lines, values by hand. */
class JobProgressTest {
  @Test
  void aCubeLineHasTheRateAndTheEta() {
    // 3 of 8 in 12 s: 0.25 sub-cubes/s, 5 left take 20 s
    assertEquals("j: 3 of 8 sub-cubes done, 0.250 sub-cubes/s, ETA 20 s (w1 finished sub-cube 2/8)",
        JobProgress.cubeLine("j", 3, 8, 12, "w1 finished sub-cube 2/8"));
    // 1 of 40 in 100 s: 39 left at 100 s each
    assertEquals("j: 1 of 40 sub-cubes done, 0.0100 sub-cubes/s, ETA 1 h 05 min (m)",
        JobProgress.cubeLine("j", 1, 40, 100, "m"));
  }

  @Test
  void aContinuumLineHasTheCycleIterationsAndPeakAgainstThreshold() {
    assertEquals("j: major cycle 2, 412 of 5000 iterations, peak residual 0.01234 Jy/beam vs threshold 0.002000 Jy",
        JobProgress.cycleLine("j", 2, 412, 5000, 0.012341, 0.002));
  }
}
