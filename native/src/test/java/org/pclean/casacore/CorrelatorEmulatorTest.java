package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulator's dumps are the rows casacore's NewMSSimulator writes for the same observation (the MS of
 * {@link MsSimulator} is the truth): times, antennas, UVW, flags, weights and the predicted visibilities with
 * their noise.
 */
class CorrelatorEmulatorTest {
  @TempDir Path dir;

  @Test
  void dumpsEqualTheRowsOfTheSimulatedMs() {
    AntennaArray array = SimulatedMs.array(9);
    MsSimulator.Observation obs = SimulatedMs.observation(0.05);
    int flagged = compare(array, obs, dir.resolve("sim.ms"));
    assertEquals(0, flagged, "a C-configuration observation around transit at +40° is never shadowed");
  }

  /** A compact array observing low in the south: shadowing flags rows, in the same rows as NewMSSimulator. */
  @Test
  void shadowedRowsAreFlaggedAsNewMsSimulatorFlagsThem() {
    AntennaArray array = AntennaArray.vlaLike(AntennaArray.vlaArmLength("D"));
    var obs = new MsSimulator.Observation("LOW", Math.toRadians(150), Math.toRadians(-38), 2, 1.4e9, 1e6, "XX YY",
        -4.0, 4.0, 1200.0, 60000.0, 0.0, 7L);
    int flagged = compare(array, obs, dir.resolve("low.ms"));
    assertTrue(flagged > 0, "the D configuration at dec -38 shadows some rows");
  }

  @Test
  void metadataIsWhatTheMsReports() {
    AntennaArray array = SimulatedMs.array(5);
    MsSimulator.Observation obs = SimulatedMs.observation(0);
    Path ms = dir.resolve("meta.ms");
    MsSimulator.simulate(ms, array, obs, SimulatedMs.SKY);
    try (MeasurementSet m = MeasurementSet.open(ms);
        CorrelatorEmulator e = CorrelatorEmulator.open(array, obs, SimulatedMs.SKY)) {
      MsMetadata want = m.metadata();
      MsMetadata got = e.metadata();
      assertEquals(want.telescope(), got.telescope());
      assertEquals(want.rows(), got.rows());
      assertArrayEquals(want.timeRange(), got.timeRange(), 1e-6);
      assertEquals(want.antennas().size(), got.antennas().size());
      for (int i = 0; i < want.antennas().size(); i++) {
        MsMetadata.Antenna a = want.antennas().get(i);
        MsMetadata.Antenna b = got.antennas().get(i);
        assertEquals(a.name(), b.name());
        assertEquals(a.station(), b.station());
        assertArrayEquals(a.position(), b.position(), 1e-6);
        assertEquals(a.dishDiameter(), b.dishDiameter());
      }
      assertEquals(want.fields().get(0).name(), got.fields().get(0).name());
      // PHASE_DIR read back from the MS has been through direction cosines once more: equal to a few ulps.
      assertEquals(want.fields().get(0).ra(), got.fields().get(0).ra(), 1e-15, "PHASE_DIR");
      assertEquals(want.fields().get(0).dec(), got.fields().get(0).dec(), 1e-15, "PHASE_DIR");
      MsMetadata.SpectralWindow sw = want.spectralWindows().get(0);
      MsMetadata.SpectralWindow sg = got.spectralWindows().get(0);
      assertEquals(sw.name(), sg.name());
      assertArrayEquals(sw.channelFrequencies(), sg.channelFrequencies(), 1e-3);
      assertArrayEquals(sw.channelWidths(), sg.channelWidths(), 1e-3);
      assertEquals(sw.refFrequency(), sg.refFrequency(), 1e-3);
      assertEquals(want.polarizations().get(0).correlations(), got.polarizations().get(0).correlations());
      assertEquals(want.dataColumns(), got.dataColumns());
    }
  }

  @Test
  void aStokesParameterIsNotACorrelation() {
    var obs = new MsSimulator.Observation("F", 0, 0.5, 1, 1e9, 1e6, "I", -0.1, 0.1, 60, 60000, 0, 1);
    var e = assertThrows(IllegalArgumentException.class,
        () -> CorrelatorEmulator.open(SimulatedMs.array(3), obs, SimulatedMs.SKY));
    assertTrue(e.getMessage().contains("Stokes parameter"), e.getMessage());
  }

  /** Compares every dump with the MS rows; returns the number of flagged rows. */
  private static int compare(AntennaArray array, MsSimulator.Observation obs, Path ms) {
    MsSimulator.simulate(ms, array, obs, SimulatedMs.SKY);
    int flaggedRows = 0;
    try (MeasurementSet m = MeasurementSet.open(ms);
        CorrelatorEmulator e = CorrelatorEmulator.open(array, obs, SimulatedMs.SKY)) {
      int nbl = e.numBaselines();
      assertEquals(array.size() * (array.size() - 1) / 2, nbl);
      assertEquals(m.numRows(), (long) e.numDumps() * nbl, "rows = dumps x baselines");
      int nchan = obs.nchan();
      for (int d = 0; d < e.numDumps(); d++) {
        CorrelatorEmulator.Dump dump = e.next();
        long r0 = (long) d * nbl;
        assertEquals(d, dump.index());
        double[] t = m.readTime(r0, nbl);
        for (double ti : t) {
          assertEquals(ti, dump.time(), 1e-6, "TIME of dump " + d);
        }
        assertArrayEquals(m.readIntColumn("ANTENNA1", r0, nbl), dump.antenna1());
        assertArrayEquals(m.readIntColumn("ANTENNA2", r0, nbl), dump.antenna2());
        assertArrayEquals(m.readUvw(r0, nbl), dump.uvw(), 1e-6, "UVW of dump " + d);
        assertArrayEquals(m.readFlags(r0, nbl, 0, nchan), dump.flags(), "FLAG of dump " + d);
        boolean[] flagRow = m.readFlagRow(r0, nbl);
        for (int r = 0; r < nbl; r++) {
          assertEquals(flagRow[r], dump.flags()[r * nchan * e.correlations().size()] != 0, "FLAG_ROW");
          flaggedRows += flagRow[r] ? 1 : 0;
        }
        float[] want = m.readVisibilities(DataColumn.DATA, r0, nbl, 0, nchan);
        assertArrayEquals(want, dump.vis(), 1e-5f, "DATA of dump " + d);
        float[] w = m.readWeights(r0, nbl, 0, nchan);
        int ncorr = e.correlations().size();
        for (int r = 0; r < nbl; r++) {
          for (int c = 0; c < ncorr; c++) {
            assertEquals(w[r * nchan * ncorr + c], dump.weights()[r * ncorr + c], "WEIGHT");
          }
        }
      }
      assertThrows(CasacoreException.class, e::next, "no dump after the last");
    }
    return flaggedRows;
  }
}
