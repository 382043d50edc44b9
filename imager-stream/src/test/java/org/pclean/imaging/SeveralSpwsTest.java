package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;
import org.pclean.casacore.MsSimulator;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.source.SpwChannels;

/**
 * Several spectral windows in one run, on a two-spw MS (two simulated observations of the same sky at 1.400 and
 * 1.432 GHz, 4 × 8 MHz channels each, joined into one MS as spws 0 and 1 by python3-casacore: test tooling only).
 * mfs over a CASA spw selection equals a direct Fourier sum over exactly the selected channels of both spws; a
 * cube over spws 0,1 is the two spws' own cubes one after the other on one frequency axis, as tclean lays it out
 * when the spws' channels continue one grid.
 */
class SeveralSpwsTest {
  private static final double C = 299792458.0;
  static final int N = 128;
  static final int NCHAN = 4;
  static final double DF = 8e6;

  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void makeTwoSpwMs() throws Exception {
    Path a = simulate("a.ms", SkySimulation.FREQ0);
    Path b = simulate("b.ms", SkySimulation.FREQ0 + NCHAN * DF);
    ms = tmp.resolve("two-spw.ms");
    Process check = new ProcessBuilder("/usr/bin/python3", "-c", "import casacore.tables").redirectErrorStream(true)
        .start();
    Assumptions.assumeTrue(check.waitFor() == 0,
        "python3-casacore is not installed for /usr/bin/python3 (it joins two MSs into one two-spw MS)");
    Process p = new ProcessBuilder("/usr/bin/python3", Path.of("src/test/resources/merge_spws.py").toString(),
        ms.toString(), a.toString(), b.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
  }

  private static Path simulate(String name, double freq0) {
    Path path = tmp.resolve(name);
    MsSimulator.simulate(path, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", SkySimulation.RA, SkySimulation.DEC, NCHAN, freq0, DF, "RR LL", -0.5, 0.5,
            120, 60000, 0.0, 11),
        SkySimulation.SKY.stream().map(SkySimulation.Source::point).toList());
    return path;
  }

  private static TcleanParams.Builder base(String name, String spw) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA).threads(1)
        .spwSelection(SpwChannels.parse(spw));
  }

  @Test
  void mfsOverBothSpwsEqualsTheDirectFourierSum() {
    assertMfsIsDirectSum("both", "0,1", (spw, chan) -> true);
  }

  @Test
  void mfsOverChannelRangesEqualsTheDirectFourierSumOfThoseChannels() {
    assertMfsIsDirectSum("ranges", "0:0~1;3,1:2~3", (spw, chan) -> spw == 0 ? chan != 2 : chan >= 2);
  }

  @Test
  void cubeOverTwoSpwsIsEachSpwsCubeOnOneAxis() {
    SerialImager.run(base("cube01", "1,0").specmode(SpecMode.CUBE).build());  // given out of order: sorted
    SerialImager.run(base("cube0", "0").specmode(SpecMode.CUBE).build());
    SerialImager.run(base("cube1", "1").specmode(SpecMode.CUBE).build());
    try (CasaImage both = CasaImage.open(tmp.resolve("cube01.image"));
         CasaImage s0 = CasaImage.open(tmp.resolve("cube0.image"));
         CasaImage s1 = CasaImage.open(tmp.resolve("cube1.image"))) {
      ImageGeometry g = both.geometry();
      assertEquals(2 * NCHAN, g.nchan());
      assertEquals(SkySimulation.FREQ0, g.freq0(), 1e-3);
      assertEquals(DF, g.dfreq(), 1e-6);
      for (int c = 0; c < 2 * NCHAN; c++) {
        float[] x = both.readPlane(0, c);
        float[] y = (c < NCHAN ? s0 : s1).readPlane(0, c % NCHAN);
        double[] w = both.toWorld(N / 2, N / 2, 0, c);
        assertEquals(SkySimulation.FREQ0 + c * DF, w[3], 1e-3, "plane " + c + " frequency");
        for (int i = 0; i < x.length; i++) {
          assertEquals(y[i], x[i], 1e-6, "plane " + c + " pixel " + i);
        }
      }
    }
  }

  /** start/width lay a cube across both spws: output channels on input ones are those channels of either spw. */
  @Test
  void cubeWithStartAndWidthAcrossTheSpws() {
    SerialImager.run(base("across", "0,1").specmode(SpecMode.CUBE).start("1.416GHz").width("16MHz").nchan(3).build());
    SerialImager.run(base("across0", "0").specmode(SpecMode.CUBE).build());
    SerialImager.run(base("across1", "1").specmode(SpecMode.CUBE).build());
    try (CasaImage both = CasaImage.open(tmp.resolve("across.image"));
         CasaImage s0 = CasaImage.open(tmp.resolve("across0.image"));
         CasaImage s1 = CasaImage.open(tmp.resolve("across1.image"))) {
      ImageGeometry g = both.geometry();
      assertEquals(3, g.nchan());
      assertEquals(1.416e9, g.freq0(), 1e-3);
      assertEquals(16e6, g.dfreq(), 1e-3);
      float[][] expected = {s0.readPlane(0, 2), s1.readPlane(0, 0), s1.readPlane(0, 2)};  // 1.416, 1.432, 1.448 GHz
      for (int k = 0; k < 3; k++) {
        float[] x = both.readPlane(0, k);
        for (int i = 0; i < x.length; i++) {
          assertEquals(expected[k][i], x[i], 1e-6, "plane " + k + " pixel " + i);
        }
      }
    }
  }

  /**
   * A channel between the spws (1.428 GHz: above spw 0's last, below spw 1's first) has no data: a blank plane,
   * as tclean writes it (zeros, sum of weights 0, no fitted beam); the channels around it are the spws' own.
   */
  @Test
  void aChannelInTheGapBetweenSpwsIsBlank() {
    var r = SerialImager.run(base("gapped", "0,1").specmode(SpecMode.CUBE).start("1.416GHz").width("4MHz").nchan(5).build());
    SerialImager.run(base("gap0", "0").specmode(SpecMode.CUBE).build());
    SerialImager.run(base("gap1", "1").specmode(SpecMode.CUBE).build());
    try (CasaImage both = CasaImage.open(tmp.resolve("gapped.image"));
         CasaImage sumwt = CasaImage.open(tmp.resolve("gapped.sumwt"));
         CasaImage s0 = CasaImage.open(tmp.resolve("gap0.image"));
         CasaImage s1 = CasaImage.open(tmp.resolve("gap1.image"))) {
      for (float v : both.readPlane(0, 3)) {
        assertEquals(0f, v);
      }
      assertEquals(0f, sumwt.readPlane(0, 3)[0]);
      assertTrue(!r.planes().get(3).beam().isPresent(), "a blank plane has no fitted beam");
      assertEquals(org.pclean.imaging.cycles.StopReason.NO_DATA, r.planes().get(3).stop());
      assertTrue(sumwt.readPlane(0, 1)[0] > 0 && both.beam(1, 0).isPresent(), "1.420 GHz lies inside spw 0");
      float[][] expected = {s0.readPlane(0, 2), null, s0.readPlane(0, 3), null, s1.readPlane(0, 0)};
      for (int k : new int[] {0, 2, 4}) {
        float[] x = both.readPlane(0, k);
        for (int i = 0; i < x.length; i++) {
          assertEquals(expected[k][i], x[i], 1e-6, "plane " + k + " pixel " + i);
        }
      }
    }
  }

  @Test
  void cubeOverChannelsOffOneGridIsRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SerialImager.run(base("gap", "0:0~1;3").specmode(SpecMode.CUBE).build()));
    assertTrue(e.getMessage().contains("regular frequency grid"), e.getMessage());
    assertTrue(!Files.exists(tmp.resolve("gap.image")), "nothing written");
    e = assertThrows(IllegalArgumentException.class, () -> SerialImager.run(base("no-spw", "0,1").spw().build()));
    assertTrue(e.getMessage().contains("has 2 spectral windows"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> base("twice", "0,0").build());
    assertTrue(e.getMessage().contains("twice"), e.getMessage());
  }

  /**
   * The dirty image (natural weights) of the selection equals Σ w Re(V e^{-2πi(ul + vm)}) / Σ w over the Stokes I
   * samples of the selected (spw, channel)s, read from the MS here: I = (RR + LL)/2 at (w_RR + w_LL)/2 (the
   * simulator's V = Σ S e^{+2πi(ul + vm)} with uvw as stored; l = -dx·cell, RA to the left). The
   * gridder's error is the prolate spheroidal's aliasing, measured 9e-5 of the peak here; 1e-3 bounds it, while a
   * missing spw or channel moves the image by several percent (and the sum of weights by its share).
   */
  private static void assertMfsIsDirectSum(String name, String spw, BiPredicate<Integer, Integer> selected) {
    var r = SerialImager.run(base(name, spw).niter(0).build());
    float[] img;
    try (CasaImage im = CasaImage.open(tmp.resolve(name + ".image"))) {
      img = im.readPlane(0, 0);
    }
    DirectSum direct = new DirectSum(DirectSum.testPixels(N), N);
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      MsMetadata md = m.metadata();
      int nrow = (int) m.numRows();
      int[] dd = m.readIntColumn("DATA_DESC_ID", 0, nrow);
      double[] uvw = m.readUvw(0, nrow);
      float[] vis = m.readVisibilities(DataColumn.DATA, 0, nrow, 0, NCHAN);
      float[] wt = m.readWeights(0, nrow, 0, NCHAN);
      byte[] fl = m.readFlags(0, nrow, 0, NCHAN);
      for (int row = 0; row < nrow; row++) {
        int sw = md.dataDescription(dd[row]).spectralWindow();
        double[] freq = md.spectralWindows().get(sw).channelFrequencies();
        for (int c = 0; c < NCHAN; c++) {
          int s = row * NCHAN + c;
          if (!selected.test(sw, c) || fl[2 * s] != 0 || fl[2 * s + 1] != 0) {
            continue;
          }
          double w = (wt[2 * s] + wt[2 * s + 1]) / 2.0;
          double vr = (vis[4 * s] + vis[4 * s + 2]) / 2.0;
          double vi = (vis[4 * s + 1] + vis[4 * s + 3]) / 2.0;
          double u = uvw[3 * row] * freq[c] / C;
          double v = uvw[3 * row + 1] * freq[c] / C;
          direct.add(u, v, w, vr, vi);
        }
      }
    }
    DirectSum.Comparison cmp = direct.compare(img);
    double peak = cmp.peak();
    double worst = cmp.worst();
    double sumw = direct.sumOfWeights();
    System.out.printf("spw %s: %d pixels, max |image - direct sum| %.3g of peak %.4g; sumwt %.1f vs %.1f%n", spw,
        direct.size(), worst, peak, r.planes().get(0).sumwt(), sumw);
    assertEquals(sumw, r.planes().get(0).sumwt(), 1e-6 * sumw, "sum of weights over the selected channels");
    assertTrue(worst <= 1e-3 * peak, "image differs from the direct Fourier sum by " + worst + " (peak " + peak + ")");
  }
}
