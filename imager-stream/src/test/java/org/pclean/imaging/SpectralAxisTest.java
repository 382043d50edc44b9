package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.ImageGeometry;
import org.pclean.casacore.MeasurementSet;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.plan.SpectralAxis.VelocityType;
import org.pclean.ingest.source.ChannelRegridder.Interpolation;

/**
 * tclean's cube spectral axis (start, width, nchan in channels, frequency or velocity; veltype; restfreq;
 * interpolation) on a simulated 8-channel spw, 1.400..1.456 GHz by 8 MHz. Headers against hand computation
 * (radio v = c(1 − f/f0), optical v = c(f0/f − 1)); planes on input channels against the plain cube's planes;
 * planes between input channels against a direct Fourier sum of the interpolated samples at the plane frequency;
 * an LSRK cube against casacore's conversion called independently (python3-casacore Measures).
 */
class SpectralAxisTest {
  private static final double C = 299792458.0;
  static final int N = 128;
  static final int NCHAN = 8;
  static final double DF = 8e6;
  static final double F0 = SkySimulation.FREQ0;
  static final double REST = 1.42e9;

  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void simulate() {
    ms = SkySimulation.simulate(tmp, "spectral.ms", NCHAN, DF, 0.5, 0.0);
    SerialImager.run(base("plain").build());
  }

  private static TcleanParams.Builder base(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA).specmode(SpecMode.CUBE).threads(1);
  }

  @Test
  void frequencyStartAndWidthOnInputChannelsAreThoseChannels() {
    SerialImager.run(base("freq").start("1.408GHz").width("16MHz").build());
    // nchan -1: floor((1.456 - 1.408) / 0.016) + 1 = 4 channels, at input channels 1, 3, 5, 7.
    assertAxis("freq", 1.408e9, 16e6, 4);
    assertPlanesAre("freq", new int[] {1, 3, 5, 7});
  }

  @Test
  void channelStartAndWidth() {
    SerialImager.run(base("chan").start("2").width("3").build());
    assertAxis("chan", F0 + 2 * DF, 3 * DF, 2);  // channels 2 and 5 (8 is beyond the spw)
    assertPlanesAre("chan", new int[] {2, 5});
  }

  @Test
  void radioVelocityAxisAndLinearInterpolation() {
    SerialImager.run(base("radio").start("1000km/s").width("-500km/s").nchan(3).restfreq(REST).build());
    double f0 = REST * (1 - 1e6 / C);
    double df = REST * (1 - 5e5 / C) - f0;  // = REST · 5e5 / c
    assertAxis("radio", f0, df, 3);
    try (CasaImage img = CasaImage.open(tmp.resolve("radio.image"))) {
      assertEquals(REST, img.observation().restFreq(), 1e-3);
      assertEquals("TOPO", img.observation().frame());
      for (int k = 0; k < 3; k++) {
        double f = img.toWorld(N / 2, N / 2, 0, k)[3];
        assertEquals(1000e3 - 500e3 * k, C * (1 - f / REST), 1e-3, "radio velocity of plane " + k);
      }
    }
    for (int k = 0; k < 3; k++) {
      assertPlaneIsDirectSum("radio", k, f0 + k * df, Interpolation.LINEAR);
    }
  }

  @Test
  void opticalVelocityAxisAndNearestInterpolation() {
    SerialImager.run(base("optical").start("1000km/s").width("-500km/s").nchan(3).restfreq(REST)
        .veltype(VelocityType.OPTICAL).interpolation(Interpolation.NEAREST).build());
    double f0 = REST / (1 + 1e6 / C);
    double df = REST / (1 + 5e5 / C) - f0;
    assertAxis("optical", f0, df, 3);
    try (CasaImage img = CasaImage.open(tmp.resolve("optical.image"))) {
      double f = img.toWorld(N / 2, N / 2, 0, 0)[3];
      assertEquals(1000e3, C * (REST / f - 1), 1e-3, "optical velocity of plane 0");
    }
    for (int k = 0; k < 3; k++) {
      assertPlaneIsDirectSum("optical", k, f0 + k * df, Interpolation.NEAREST);
    }
  }

  /**
   * outframe LSRK: the axis is the first channel and increment moved by casacore's TOPO→LSRK factor at the first
   * time, as python3-casacore computes it from the MS (array centre, phase centre); each plane is every row's
   * samples interpolated by that row's own factor (computed here from python's factors), imaged.
   */
  @Test
  void lsrkCubeFollowsCasacoresConversion() throws Exception {
    Process check = new ProcessBuilder("/usr/bin/python3", "-c", "import casacore.measures").start();
    Assumptions.assumeTrue(check.waitFor() == 0, "python3-casacore is not installed for /usr/bin/python3 (the"
        + " independent TOPO->LSRK conversion)");
    Process py = new ProcessBuilder("/usr/bin/python3", "src/test/resources/frame_factors.py", ms.toString(), "LSRK")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    java.util.Map<Double, Double> factor = new java.util.TreeMap<>();
    for (String line : new String(py.getInputStream().readAllBytes()).split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length == 2 && w[0].matches("[0-9.eE+-]+")) {
        factor.put(Double.parseDouble(w[0]), Double.parseDouble(w[1]));
      }
    }
    assertEquals(0, py.waitFor());
    assertTrue(factor.size() > 1, "factors per time: " + factor);
    double k0 = factor.values().iterator().next();
    SerialImager.run(base("lsrk").outframe("LSRK").build());
    assertAxis("lsrk", F0 * k0, DF * k0, NCHAN);
    try (CasaImage img = CasaImage.open(tmp.resolve("lsrk.image"))) {
      assertEquals("LSRK", img.observation().frame());
    }
    double[] f = new double[NCHAN];
    for (int c = 0; c < NCHAN; c++) {
      f[c] = F0 + c * DF;
    }
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      int nrow = (int) m.numRows();
      double[] time = m.readTime(0, nrow);
      double[] uvw = m.readUvw(0, nrow);
      float[] vis = m.readVisibilities(DataColumn.DATA, 0, nrow, 0, NCHAN);
      float[] wt = m.readWeights(0, nrow, 0, NCHAN);
      for (int k : new int[] {0, 3, 7}) {
        double fk = F0 * k0 + k * DF * k0;
        float[] hv = new float[2 * nrow];
        float[] hw = new float[nrow];
        for (int row = 0; row < nrow; row++) {
          double s = factor.get(time[row]);
          double x = (fk - F0 * s) / (DF * s);  // fractional input channel of fk in this row
          if (x < -1e-6 || x > NCHAN - 1 + 1e-6) {
            continue;  // this row's channels do not reach fk: flagged
          }
          int a = (int) Math.floor(x + 1e-6);
          double t = Math.max(0, x - a);
          int b = Math.min(a + 1, NCHAN - 1);
          if (t <= 1e-6 || a == NCHAN - 1) {
            t = 0;
            b = a;
          }
          for (int j = 0; j < 2; j++) {
            int sa = row * NCHAN + a;
            int sb = row * NCHAN + b;
            hv[2 * row + j] = (float) ((1 - t) * (vis[4 * sa + j] + vis[4 * sa + 2 + j]) / 2
                + t * (vis[4 * sb + j] + vis[4 * sb + 2 + j]) / 2);
          }
          hw[row] = (float) ((1 - t) * (wt[2 * (row * NCHAN + a)] + wt[2 * (row * NCHAN + a) + 1]) / 2
              + t * (wt[2 * (row * NCHAN + b)] + wt[2 * (row * NCHAN + b) + 1]) / 2);
        }
        String handName = "lsrk_hand" + k;
        new SerialImager(base(handName).build()).run(new org.pclean.ingest.source.VisibilityData(uvw,
            new double[] {fk}, new double[] {DF * k0}, hv, hw, new double[] {SkySimulation.RA, SkySimulation.DEC}), 0);
        try (CasaImage a = CasaImage.open(tmp.resolve("lsrk.image"));
             CasaImage h = CasaImage.open(tmp.resolve(handName + ".image"))) {
          float[] x = a.readPlane(0, k);
          float[] y = h.readPlane(0, 0);
          double peak = 0;
          double diff = 0;
          for (int i = 0; i < x.length; i++) {
            peak = Math.max(peak, Math.abs(y[i]));
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
          }
          System.out.printf("lsrk plane %d at %.6f MHz vs rows interpolated by python's factors: max |diff| %.3g"
              + " of peak %.4g%n", k, fk / 1e6, diff, peak);
          assertTrue(diff <= 1e-5 * peak, "lsrk plane " + k + ": " + diff + " of peak " + peak);
        }
      }
    }
  }

  @Test
  void badSpectralAxesAreRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> SerialImager.run(base("outside").start("1.5GHz").build()));
    assertTrue(e.getMessage().contains("outside the selected channels"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SerialImager.run(base("long").start("1.44GHz").width("8MHz").nchan(5).build()));
    assertTrue(e.getMessage().contains("nchan 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> base("vel").start("10km/s").build());
    assertTrue(e.getMessage().contains("needs restfreq"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> base("unit").start("3parsec").build());
    assertTrue(e.getMessage().contains("bad start"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> base("mfs").specmode(SpecMode.MFS).width("16MHz").build());
    assertTrue(e.getMessage().contains("specmode cube"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> base("frame").outframe("GEOX").build());
    assertTrue(e.getMessage().contains("outframe GEOX is not supported"), e.getMessage());
    // casacore's own message for a frame it does not know, through the facade.
    var c = assertThrows(org.pclean.casacore.CasacoreException.class, () -> org.pclean.casacore.SpectralFrames
        .convert("TOPO", "NOSUCH", 5.184e9, new double[] {-1.6e6, -5.0e6, 3.5e6}, 2.6, 0.7, 1.4e9));
    assertTrue(c.getMessage().contains("NOSUCH"), c.getMessage());
  }

  private static void assertAxis(String name, double freq0, double dfreq, int nchan) {
    try (CasaImage img = CasaImage.open(tmp.resolve(name + ".image"))) {
      ImageGeometry g = img.geometry();
      assertEquals(nchan, g.nchan(), name + " nchan");
      assertEquals(freq0, g.freq0(), 1e-3, name + " reference frequency");
      assertEquals(dfreq, g.dfreq(), 1e-3, name + " increment");
    }
  }

  /** Planes on input channels are the plain cube's planes of those channels, bit for bit. */
  private static void assertPlanesAre(String name, int[] channels) {
    try (CasaImage a = CasaImage.open(tmp.resolve(name + ".image"));
         CasaImage b = CasaImage.open(tmp.resolve("plain.image"))) {
      for (int k = 0; k < channels.length; k++) {
        float[] x = a.readPlane(0, k);
        float[] y = b.readPlane(0, channels[k]);
        for (int i = 0; i < x.length; i++) {
          assertEquals(y[i], x[i], 0f, name + " plane " + k + " pixel " + i);
        }
      }
    }
  }

  /**
   * A plane at frequency f between input channels equals Σ w Re(V e^{-2πi(ul + vm)}) / Σ w of the samples
   * interpolated here to f (linear: (1 − t)·c_a + t·c_b in value and weight; nearest: the closest channel), with
   * u, v in wavelengths at f; the gridder's aliasing bounds the difference (1e-3 of the peak; measured 2-3e-4,
   * where the other interpolation's samples differ by 5e-4..1.2e-3). The same hand-interpolated samples imaged
   * as a one-channel cube through the engine give the plane to 1e-5 of its peak (the gridder's error cancels).
   */
  private static void assertPlaneIsDirectSum(String name, int plane, double f, Interpolation mode) {
    float[] img;
    try (CasaImage im = CasaImage.open(tmp.resolve(name + ".image"))) {
      img = im.readPlane(0, plane);
    }
    double x = (f - F0) / DF;
    int a = mode == Interpolation.NEAREST ? (int) Math.round(x) : (int) Math.floor(x);
    double t = mode == Interpolation.NEAREST ? 0 : x - a;
    DirectSum direct = new DirectSum(DirectSum.testPixels(N), N);
    float[] handVis;
    float[] handWeight;
    double[] handUvw;
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      int nrow = (int) m.numRows();
      double[] uvw = m.readUvw(0, nrow);
      float[] vis = m.readVisibilities(DataColumn.DATA, 0, nrow, 0, NCHAN);
      float[] wt = m.readWeights(0, nrow, 0, NCHAN);
      byte[] fl = m.readFlags(0, nrow, 0, NCHAN);
      handVis = new float[2 * nrow];
      handWeight = new float[nrow];
      handUvw = uvw;
      for (int row = 0; row < nrow; row++) {
        double vr = 0;
        double vi = 0;
        double w = 0;
        boolean ok = true;
        for (int j = 0; j < (t > 0 ? 2 : 1); j++) {
          int s = row * NCHAN + a + j;
          double share = j == 0 ? 1 - t : t;
          ok &= fl[2 * s] == 0 && fl[2 * s + 1] == 0;
          vr += share * (vis[4 * s] + vis[4 * s + 2]) / 2;
          vi += share * (vis[4 * s + 1] + vis[4 * s + 3]) / 2;
          w += share * (wt[2 * s] + wt[2 * s + 1]) / 2;
        }
        if (!ok) {
          continue;
        }
        handVis[2 * row] = (float) vr;
        handVis[2 * row + 1] = (float) vi;
        handWeight[row] = (float) w;
        double u = uvw[3 * row] * f / C;
        double v = uvw[3 * row + 1] * f / C;
        direct.add(u, v, w, vr, vi);
      }
    }
    DirectSum.Comparison cmp = direct.compare(img);
    double peak = cmp.peak();
    double worst = cmp.worst();
    System.out.printf("%s plane %d at %.6f MHz (channel %d + %.3f): max |image - direct sum| %.3g of peak %.4g%n",
        name, plane, f / 1e6, a, t, worst, peak);
    assertTrue(worst <= 1e-3 * peak, name + " plane " + plane + ": " + worst + " of peak " + peak);
    var hand = new org.pclean.ingest.source.VisibilityData(handUvw, new double[] {f}, new double[] {DF}, handVis,
        handWeight, new double[] {SkySimulation.RA, SkySimulation.DEC});
    String handName = name + "_hand" + plane;
    new SerialImager(base(handName).build()).run(hand, 0);
    float[] h;
    try (CasaImage im = CasaImage.open(tmp.resolve(handName + ".image"))) {
      h = im.readPlane(0, 0);
    }
    double maxH = 0;
    double diff = 0;
    for (int i = 0; i < h.length; i++) {
      maxH = Math.max(maxH, Math.abs(h[i]));
      diff = Math.max(diff, Math.abs(h[i] - img[i]));
    }
    System.out.printf("%s plane %d vs the hand-interpolated samples imaged: max |diff| %.3g of peak %.4g%n", name,
        plane, diff, maxH);
    assertTrue(diff <= 1e-5 * maxH, name + " plane " + plane + " vs hand interpolation: " + diff);
  }
}
