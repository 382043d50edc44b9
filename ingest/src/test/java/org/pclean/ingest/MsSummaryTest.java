package org.pclean.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.SimulatedMs;
import org.pclean.casacore.TestData;

class MsSummaryTest {

  @Test
  void sexagesimalAndTimeFormatting() {
    assertEquals("10:00:00.000", MsSummary.hms(Math.toRadians(150.0)));
    assertEquals("+40.00.00.00", MsSummary.dms(Math.toRadians(40.0)));
    assertEquals("-07.30.00.00", MsSummary.dms(Math.toRadians(-7.5)));
    assertEquals("23:59:59.999", MsSummary.hms(Math.toRadians(360.0 - 15.0 / 3600_000)));
    // MJD 60000 = 2023-02-25 00:00 UTC.
    assertEquals("2023-02-25 00:00:00", MsSummary.utc(60000 * 86400.0));
  }

  @Test
  void summaryOfSimulatedMsNamesWhatWasSimulated(@TempDir Path tmp) {
    Path path = SimulatedMs.create(tmp, 5, 0.0);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      String s = MsSummary.format(path.toString(), ms.metadata());
      assertTrue(s.contains("TARGET       10:00:00.000 +40.00.00.00 J2000"), s);
      assertTrue(s.contains("4 ch  1400.000000 -  1424.000000 MHz, width 8000.000 kHz"), s);
      assertTrue(s.contains("polarization 0: RR RL LR LL"), s);
      assertTrue(s.contains("antennas (5): " + String.join(" ", SimulatedMs.array(5).names())), s);
      assertTrue(s.contains("2023-02-2"), s);
    }
  }

  @Test
  void longestBaselineOfRealVlaMsSkipsPlaceholderAntennas(@TempDir Path tmp) throws Exception {
    // The real VLA MS: 28 antennas, longest antenna separation over 1 km (max uv distance is 1018.6 m).
    Path path = TestData.unpack(TestData.VLA, tmp);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      double b = MsSummary.longestBaseline(ms.metadata());
      assertTrue(b > 1018.6 && b < 1100, "longest baseline " + b);
    }
  }
}
