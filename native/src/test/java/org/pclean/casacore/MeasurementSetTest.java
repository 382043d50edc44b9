package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeasurementSetTest {
  private static final double C = 299792458.0;

  @TempDir Path tmp;

  @Test
  void metadataEqualsWhatWasSimulated() {
    int nant = 6;
    Path path = SimulatedMs.create(tmp, nant, 0.0);
    AntennaArray array = SimulatedMs.array(nant);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      MsMetadata md = ms.metadata();
      assertEquals("VLA", md.telescope());
      assertEquals(nant, md.antennas().size());
      for (int i = 0; i < nant; i++) {
        assertEquals(array.names().get(i), md.antennas().get(i).name());
        assertArrayEquals(array.positions().get(i), md.antennas().get(i).position(), 1e-6);
        assertEquals(25.0, md.antennas().get(i).dishDiameter(), 0.0);
      }
      assertEquals(1, md.fields().size());
      assertEquals("TARGET", md.fields().get(0).name());
      assertEquals(SimulatedMs.RA, md.fields().get(0).ra(), 1e-12);
      assertEquals(SimulatedMs.DEC, md.fields().get(0).dec(), 1e-12);
      MsMetadata.SpectralWindow spw = md.spectralWindows().get(0);
      assertEquals(SimulatedMs.NCHAN, spw.numChannels());
      for (int c = 0; c < SimulatedMs.NCHAN; c++) {
        assertEquals(SimulatedMs.FREQ0 + c * SimulatedMs.DFREQ, spw.channelFrequencies()[c], 1e-3);
        assertEquals(SimulatedMs.DFREQ, spw.channelWidths()[c], 1e-3);
      }
      assertEquals(List.of(CorrelationType.RR, CorrelationType.RL, CorrelationType.LR, CorrelationType.LL),
          md.polarizations().get(0).correlations());
      assertEquals(List.of(new MsMetadata.DataDescription(0, 0, 0)), md.dataDescriptions());
      assertEquals(List.of(DataColumn.DATA), md.dataColumns());

      // One row per baseline per integration, no autocorrelations.
      double[] time = ms.readTime(0, (int) md.rows());
      long ntimes = Arrays.stream(time).distinct().count();
      assertEquals(nant * (nant - 1) / 2 * ntimes, md.rows());
      assertTrue(ntimes >= 11 && ntimes <= 13, "3600 s at 300 s gives ~12 integrations, got " + ntimes);
      assertEquals(time[0], md.timeRange()[0], 1e-6);
      assertEquals(time[time.length - 1], md.timeRange()[1], 1e-6);
    }
  }

  /** uvw is the baseline rotated into the source frame, so its length is the baseline length. */
  @Test
  void uvwLengthsEqualBaselineLengths() {
    int nant = 5;
    Path path = SimulatedMs.create(tmp, nant, 0.0);
    AntennaArray array = SimulatedMs.array(nant);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      int n = (int) ms.numRows();
      double[] uvw = ms.readUvw(0, n);
      int[] a1 = ms.readIntColumn("ANTENNA1", 0, n);
      int[] a2 = ms.readIntColumn("ANTENNA2", 0, n);
      for (int r = 0; r < n; r++) {
        double[] p1 = array.positions().get(a1[r]);
        double[] p2 = array.positions().get(a2[r]);
        double b = Math.sqrt(Math.pow(p2[0] - p1[0], 2) + Math.pow(p2[1] - p1[1], 2) + Math.pow(p2[2] - p1[2], 2));
        double len = Math.sqrt(uvw[3 * r] * uvw[3 * r] + uvw[3 * r + 1] * uvw[3 * r + 1] + uvw[3 * r + 2] * uvw[3 * r + 2]);
        assertEquals(b, len, 1e-3 * b, "row " + r);
        assertTrue(a1[r] < a2[r]);
      }
    }
  }

  /**
   * uvw = x(ant2) - x(ant1) seen from the source. At transit (hour angle 0) a flat array's baseline with east and
   * north components (E, N) has u = E, v = N cos(dec - lat), w = N sin(dec - lat) (geodetic latitude).
   */
  @Test
  void uvwAtTransitFollowsBaselineGeometry() {
    int nant = 6;
    Path path = SimulatedMs.create(tmp, nant, 0.0);
    AntennaArray array = SimulatedMs.array(nant);
    double lat = Math.toRadians(34.0787491);
    double lon = Math.toRadians(-107.6177275);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      int n = (int) ms.numRows();
      double[] time = ms.readTime(0, n);
      double[] distinct = Arrays.stream(time).distinct().sorted().toArray();
      double mid = distinct[distinct.length / 2];  // the integration nearest transit (the range is centred on it)
      double[] uvw = ms.readUvw(0, n);
      int[] a1 = ms.readIntColumn("ANTENNA1", 0, n);
      int[] a2 = ms.readIntColumn("ANTENNA2", 0, n);
      int checked = 0;
      for (int r = 0; r < n; r++) {
        if (time[r] != mid) {
          continue;
        }
        double[] p1 = array.positions().get(a1[r]);
        double[] p2 = array.positions().get(a2[r]);
        double dx = p2[0] - p1[0];
        double dy = p2[1] - p1[1];
        double dz = p2[2] - p1[2];
        double east = -Math.sin(lon) * dx + Math.cos(lon) * dy;
        double north = -Math.sin(lat) * Math.cos(lon) * dx - Math.sin(lat) * Math.sin(lon) * dy + Math.cos(lat) * dz;
        double b = Math.hypot(east, north);
        // Tolerance: the integration may sit half of its 300 s from transit (0.011 rad of hour angle) and
        // precession J2000 -> date turns the frame by ~0.005 rad; a sign error would be off by 2|v|.
        double tol = 0.025 * b;
        assertEquals(east, uvw[3 * r], tol, "u of row " + r);
        assertEquals(north * Math.cos(SimulatedMs.DEC - lat), uvw[3 * r + 1], tol, "v of row " + r);
        assertEquals(north * Math.sin(SimulatedMs.DEC - lat), uvw[3 * r + 2], tol, "w of row " + r);
        checked++;
      }
      assertEquals(nant * (nant - 1) / 2, checked);
    }
  }

  /** DATA read back equals a Java direct Fourier sum over the read UVW (w-term included). */
  @Test
  void dataReadBackEqualsDirectFourierSum() {
    Path path = SimulatedMs.create(tmp, 4, 0.0);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      int n = (int) ms.numRows();
      double[] uvw = ms.readUvw(0, n);
      float[] vis = ms.readVisibilities(DataColumn.DATA, 0, n, 0, SimulatedMs.NCHAN);
      byte[] flags = ms.readFlags(0, n, 0, SimulatedMs.NCHAN);
      float[] w = ms.readWeights(0, n, 0, SimulatedMs.NCHAN);
      assertEquals(n * SimulatedMs.NCHAN * 4 * 2, vis.length);
      for (byte f : flags) {
        assertEquals(0, f);
      }
      for (float x : w) {
        assertEquals(1.0f, x);
      }
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < SimulatedMs.NCHAN; c++) {
          double nu = SimulatedMs.FREQ0 + c * SimulatedMs.DFREQ;
          double re = 0;
          double im = 0;
          for (MsSimulator.PointSource s : SimulatedMs.SKY) {
            double nm1 = Math.sqrt(1 - s.l() * s.l() - s.m() * s.m()) - 1;
            double ph = 2 * Math.PI * nu / C * (uvw[3 * r] * s.l() + uvw[3 * r + 1] * s.m() + uvw[3 * r + 2] * nm1);
            double f = s.fluxJy() * Math.pow(nu / SimulatedMs.FREQ0, s.spectralIndex());
            re += f * Math.cos(ph);
            im += f * Math.sin(ph);
          }
          int base = (r * SimulatedMs.NCHAN + c) * 4;
          for (int corr : new int[] {0, 3}) {
            assertEquals(re, vis[2 * (base + corr)], 1e-5, "RR/LL real, row " + r);
            assertEquals(im, vis[2 * (base + corr) + 1], 1e-5);
          }
          for (int corr : new int[] {1, 2}) {
            assertEquals(0.0, vis[2 * (base + corr)], 0.0);
            assertEquals(0.0, vis[2 * (base + corr) + 1], 0.0);
          }
        }
      }
      // A channel sub-range is the matching slice of the full read.
      float[] sub = ms.readVisibilities(DataColumn.DATA, 3, 2, 1, 2);
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 2; c++) {
          for (int k = 0; k < 8; k++) {
            assertEquals(vis[((3 + r) * SimulatedMs.NCHAN + 1 + c) * 8 + k], sub[(r * 2 + c) * 8 + k]);
          }
        }
      }
    }
  }

  @Test
  void noiseSetsSigmaAndWeight() {
    Path path = SimulatedMs.create(tmp, 4, 0.5);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      float[] w = ms.readWeights(0, (int) ms.numRows(), 0, SimulatedMs.NCHAN);
      for (float x : w) {
        assertEquals(4.0f, x, 1e-6f);
      }
      // Cross hands hold only noise: its rms is the simulated sigma.
      int n = (int) ms.numRows();
      float[] vis = ms.readVisibilities(DataColumn.DATA, 0, n, 0, SimulatedMs.NCHAN);
      double sum2 = 0;
      int count = 0;
      for (int i = 0; i < n * SimulatedMs.NCHAN; i++) {
        for (int corr : new int[] {1, 2}) {
          sum2 += Math.pow(vis[2 * (i * 4 + corr)], 2) + Math.pow(vis[2 * (i * 4 + corr) + 1], 2);
          count += 2;
        }
      }
      assertEquals(0.5, Math.sqrt(sum2 / count), 0.03);
    }
  }

  @Test
  void modelDataRoundTripAndReadOnlyRefusal() {
    Path path = SimulatedMs.create(tmp, 4, 0.0);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      var e = assertThrows(CasacoreException.class, () -> ms.writeModelData(0, 1, 0, 1, new float[8]));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
    }
    try (MeasurementSet ms = MeasurementSet.openWritable(path)) {
      int n = (int) ms.numRows();
      float[] model = new float[2 * 2 * 4];
      for (int i = 0; i < model.length; i++) {
        model[i] = i + 0.25f;
      }
      ms.writeModelData(5, 2, 2, 1, model);
      float[] back = ms.readVisibilities(DataColumn.MODEL, 0, n, 0, SimulatedMs.NCHAN);
      for (int r = 0; r < n; r++) {
        for (int c = 0; c < SimulatedMs.NCHAN; c++) {
          for (int k = 0; k < 8; k++) {
            float expect = (r == 5 || r == 6) && c == 2 ? model[(r - 5) * 8 + k] : 0f;
            assertEquals(expect, back[(r * SimulatedMs.NCHAN + c) * 8 + k], "row " + r + " chan " + c);
          }
        }
      }
      assertTrue(ms.metadata().dataColumns().contains(DataColumn.MODEL));
    }
  }

  @Test
  void selectionRestrictsRows() {
    Path path = SimulatedMs.create(tmp, 4, 0.0);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      long all = ms.numRows();
      ms.select(new int[] {0}, new int[] {0});
      assertEquals(all, ms.numRows());
      ms.select(new int[] {1}, new int[0]);
      assertEquals(0, ms.numRows());
      ms.select(new int[0], new int[0]);
      assertEquals(all, ms.numRows());
      ms.selectFieldsAndSpws(new int[] {0}, new int[] {0});
      assertEquals(all, ms.numRows());
      var e = assertThrows(IllegalArgumentException.class, () -> ms.selectFieldsAndSpws(new int[0], new int[] {3}));
      assertTrue(e.getMessage().startsWith("spw 3 is not in"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ms.selectFieldsAndSpws(new int[] {2}, new int[0]));
    }
  }

  @Test
  void missingMsIsAClearException() {
    Path missing = tmp.resolve("nope.ms");
    var e = assertThrows(CasacoreException.class, () -> MeasurementSet.open(missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
  }

  /** A directory that is not a table: the error comes from the C++ side, through JNI, with its message. */
  @Test
  void nativeErrorsArriveAsJavaExceptionsWithCasacoreMessage() throws Exception {
    Path notMs = Files.createDirectory(tmp.resolve("empty.ms"));
    var e = assertThrows(CasacoreException.class, () -> MeasurementSet.open(notMs));
    assertTrue(e.getMessage().startsWith("cannot open MeasurementSet"), e.getMessage());
    assertTrue(e.getMessage().contains("not a readable table"), e.getMessage());

    Path path = SimulatedMs.create(tmp, 4, 0.0);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      var e2 = assertThrows(CasacoreException.class, () -> ms.readUvw(ms.numRows() - 1, 2));
      assertTrue(e2.getMessage().contains("outside the selection"), e2.getMessage());
      var e3 = assertThrows(CasacoreException.class, () -> ms.readVisibilities(DataColumn.CORRECTED, 0, 1, 0, 1));
      assertTrue(e3.getMessage().contains("no data column CORRECTED_DATA"), e3.getMessage());
      var e4 = assertThrows(CasacoreException.class, () -> ms.readFlags(0, 1, 3, 5));
      assertTrue(e4.getMessage().contains("channel range"), e4.getMessage());
    }
  }

  @Test
  void badCorrelationsAreRefusedAndLeaveNoMs() {
    Path path = tmp.resolve("bad.ms");
    var obs = new MsSimulator.Observation("T", 0, 0.5, 2, 1e9, 1e6, "I V", -0.1, 0.1, 60, 60000, 0, 1);
    var e = assertThrows(IllegalArgumentException.class,
        () -> MsSimulator.simulate(path, SimulatedMs.array(3), obs, SimulatedMs.SKY));
    assertTrue(e.getMessage().contains("'I' is a Stokes parameter"), e.getMessage());
    assertFalse(Files.exists(path));
  }

  /** A failure inside casacore after the MS was created removes the partial MS. */
  @Test
  void failedSimulationRemovesThePartialMs() {
    Path path = tmp.resolve("partial.ms");
    var obs = new MsSimulator.Observation("T", 0, 0.5, 2, 1e9, 1e6, "RR LL", 0.1, -0.1, 60, 60000, 0, 1);
    var e = assertThrows(CasacoreException.class,
        () -> MsSimulator.simulate(path, SimulatedMs.array(3), obs, SimulatedMs.SKY));
    assertTrue(e.getMessage().contains("hour-angle range is empty"), e.getMessage());
    assertFalse(Files.exists(path));
  }

  @Test
  void simulatingOverAnExistingPathIsRefused() throws Exception {
    Path path = Files.createDirectory(tmp.resolve("exists.ms"));
    var e = assertThrows(CasacoreException.class,
        () -> MsSimulator.simulate(path, SimulatedMs.array(3), SimulatedMs.observation(0), SimulatedMs.SKY));
    assertTrue(e.getMessage().contains("exists"), e.getMessage());
  }

  @Test
  void realVlaMsReadsAsItsProvenanceSays() throws Exception {
    Path path = TestData.unpack(TestData.VLA, tmp);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      MsMetadata md = ms.metadata();
      assertEquals(28, md.antennas().size());
      assertEquals(1360, md.rows());
      MsMetadata.SpectralWindow spw = md.spectralWindows().get(0);
      assertEquals(64, spw.numChannels());
      assertEquals(36.3045e9, spw.channelFrequencies()[0], 0.0006e9);
      assertEquals(36.3124e9, spw.channelFrequencies()[63], 0.0006e9);
      assertEquals(List.of(CorrelationType.RR, CorrelationType.RL, CorrelationType.LR, CorrelationType.LL),
          md.polarizations().get(0).correlations());
      assertEquals(List.of(DataColumn.DATA), md.dataColumns());
      assertTrue(md.hasWeightSpectrum());
      // 18 antennas in use: 153 baselines.
      int[] a1 = ms.readIntColumn("ANTENNA1", 0, 1360);
      int[] a2 = ms.readIntColumn("ANTENNA2", 0, 1360);
      long used = java.util.stream.IntStream.concat(Arrays.stream(a1), Arrays.stream(a2)).distinct().count();
      assertEquals(18, used);
      double[] uvw = ms.readUvw(0, 1360);
      double maxUv = 0;
      for (int r = 0; r < 1360; r++) {
        maxUv = Math.max(maxUv, Math.hypot(uvw[3 * r], uvw[3 * r + 1]));
      }
      assertEquals(1018.6, maxUv, 0.1);
      float[] w = ms.readWeights(0, 10, 0, 64);
      assertEquals(10 * 64 * 4, w.length);
      assertFalse(Arrays.equals(new float[w.length], w));
    }
  }

  @Test
  void realLwaMsKeepsItsUnusualCorrelationOrder() throws Exception {
    Path path = TestData.unpack(TestData.LWA, tmp);
    try (MeasurementSet ms = MeasurementSet.open(path)) {
      MsMetadata md = ms.metadata();
      assertEquals(256, md.antennas().size());
      assertEquals(210, md.rows());
      assertEquals(109, md.spectralWindows().get(0).numChannels());
      assertEquals(27.38e6, md.spectralWindows().get(0).channelFrequencies()[0], 0.01e6);
      assertEquals(List.of(CorrelationType.XX, CorrelationType.YY, CorrelationType.XY, CorrelationType.YX),
          md.polarizations().get(0).correlations());
      float[] vis = ms.readVisibilities(DataColumn.DATA, 0, 210, 0, 109);
      assertEquals(210 * 109 * 4 * 2, vis.length);
    }
  }
}
