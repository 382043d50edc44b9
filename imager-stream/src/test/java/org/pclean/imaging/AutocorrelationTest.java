package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.TestData;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.MeasurementSetSource;
import org.pclean.ingest.source.VisibilityData;
import org.pclean.ingest.source.VisibilityLoader;

/**
 * Autocorrelations stay out of imaging and of the weight density (tclean, WSClean). The real OVRO-LWA MS holds 20
 * unflagged autocorrelation rows whose amplitudes (~5e8) dwarf the cross-correlations (~1e7): gridded, they put a
 * constant offset on the dirty image many times its peak.
 */
class AutocorrelationTest {
  private static final double C = 299792458.0;
  private static final int N = 128;
  private static final double CELL = Math.toRadians(0.5);
  private static final int STEP = 8;  // truth at every 8th pixel: a 16 x 16 sample of the image

  @TempDir Path tmp;

  /** The cross-correlation Stokes I samples of the MS, read and formed here: (XX+YY)/2 at (w_XX + w_YY)/2. */
  private record Cross(double[] uvw, double[] freq, double[] re, double[] im, double[] w, boolean[] auto) {}

  private static Cross cross(MeasurementSet ms) {
    int nrow = (int) ms.numRows();
    double[] freq = ms.metadata().spectralWindows().get(0).channelFrequencies();
    int nchan = freq.length;
    int[] a1 = ms.readIntColumn("ANTENNA1", 0, nrow);
    int[] a2 = ms.readIntColumn("ANTENNA2", 0, nrow);
    float[] vis = ms.readVisibilities(DataColumn.DATA, 0, nrow, 0, nchan);
    float[] wt = ms.readWeights(0, nrow, 0, nchan);
    byte[] flags = ms.readFlags(0, nrow, 0, nchan);
    // OVRO-LWA lists XX, YY, XY, YX (MeasurementSetTest checks the order).
    double[] re = new double[nrow * nchan];
    double[] im = new double[nrow * nchan];
    double[] w = new double[nrow * nchan];
    boolean[] auto = new boolean[nrow];
    for (int r = 0; r < nrow; r++) {
      auto[r] = a1[r] == a2[r];
      for (int c = 0; c < nchan; c++) {
        int s = r * nchan + c;
        assertEquals(0, flags[4 * s] + flags[4 * s + 1], "this MS has no flagged parallel hand");
        if (!auto[r]) {
          re[s] = (vis[8 * s] + vis[8 * s + 2]) / 2.0;
          im[s] = (vis[8 * s + 1] + vis[8 * s + 3]) / 2.0;
          w[s] = (wt[4 * s] + wt[4 * s + 1]) / 2.0;
        }
      }
    }
    return new Cross(ms.readUvw(0, nrow), freq, re, im, w, auto);
  }

  /** Natural-weighted dirty image at pixel (x, y) by direct Fourier sum, l = -(x - N/2) cell, m = (y - N/2) cell. */
  private static double dft(Cross d, int x, int y) {
    double l = -(x - N / 2) * CELL;
    double m = (y - N / 2) * CELL;
    double sum = 0;
    double sumw = 0;
    int nchan = d.freq().length;
    for (int r = 0; r < d.auto().length; r++) {
      for (int c = 0; c < nchan; c++) {
        int s = r * nchan + c;
        if (d.w()[s] > 0) {
          double k = d.freq()[c] / C;
          double ph = -2 * Math.PI * k * (d.uvw()[3 * r] * l + d.uvw()[3 * r + 1] * m);
          sum += d.w()[s] * (d.re()[s] * Math.cos(ph) - d.im()[s] * Math.sin(ph));
          sumw += d.w()[s];
        }
      }
    }
    return sum / sumw;
  }

  @Test
  void lwaDirtyImageIsTheCrossCorrelationFourierSum() throws Exception {
    Path msPath = TestData.unpack(TestData.LWA, tmp);
    TcleanParams p = TcleanParams.builder().vis(msPath).imagename(tmp.resolve("lwa").toString()).imsize(N, N)
        .cell(CELL, CELL).datacolumn(DataColumn.DATA).niter(0).build();
    Cross truth;
    try (MeasurementSet ms = MeasurementSet.open(msPath)) {
      truth = cross(ms);
      int autos = 0;
      for (boolean a : truth.auto()) {
        autos += a ? 1 : 0;
      }
      assertEquals(20, autos, "the MS's autocorrelation rows");
      int nchan = truth.freq().length;
      int[] perRow;
      VisibilityData d;
      try (MeasurementSetSource src = MeasurementSetSource.open(msPath)) {
        perRow = VisibilityLoader.unflaggedPerRow(src, p.selection());
        d = VisibilityLoader.load(src, p.selection());
      }
      for (int r = 0; r < perRow.length; r++) {
        assertEquals(truth.auto()[r] ? 0 : nchan * 4, perRow[r], "unflagged samples of row " + r);
        for (int c = 0; c < nchan; c++) {
          assertEquals(truth.auto()[r] ? 0 : 1.0f, d.weight()[r * nchan + c], "weight of row " + r);
          assertTrue(truth.auto()[r] || !d.densityExcluded()[r * nchan + c], "no flags: all in the density");
        }
      }
    }
    var result = SerialImager.run(p);
    double expectSumwt = 0;
    for (double w : truth.w()) {
      expectSumwt += w;
    }
    assertEquals(190 * 109, expectSumwt, 1e-9, "190 baselines x 109 channels at (1 + 1)/2");
    assertEquals(expectSumwt, result.planes().get(0).sumwt(), 1e-6 * expectSumwt);
    float[] img;
    try (CasaImage residual = CasaImage.open(tmp.resolve("lwa.residual"))) {
      img = residual.readPlane(0, 0);
    }
    int k = N / STEP;
    double[] ref = new double[k * k];
    double scale = 0;
    double refMean = 0;
    double imgMean = 0;
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < k; i++) {
        ref[j * k + i] = dft(truth, STEP / 2 + i * STEP, STEP / 2 + j * STEP);
        scale = Math.max(scale, Math.abs(ref[j * k + i]));
        refMean += ref[j * k + i] / (k * k);
        imgMean += img[(STEP / 2 + j * STEP) * N + STEP / 2 + i * STEP] / (k * k);
      }
    }
    double err = 0;
    double innerErr = 0;
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < k; i++) {
        int x = STEP / 2 + i * STEP;
        int y = STEP / 2 + j * STEP;
        double e = Math.abs(img[y * N + x] - ref[j * k + i]);
        err = Math.max(err, e);
        if (Math.abs(x - N / 2) <= N / 4 && Math.abs(y - N / 2) <= N / 4) {
          innerErr = Math.max(innerErr, e);
        }
      }
    }
    System.out.printf("OVRO-LWA dirty: truth peak %.4g, mean %.4g; image mean %.4g; max error %.3g (inner %.3g)%n",
        scale, refMean, imgMean, err, innerErr);
    assertTrue(innerErr < 1e-3 * scale, "inner error " + innerErr + " vs truth peak " + scale);
    assertTrue(err < 5e-3 * scale, "error " + err + " vs truth peak " + scale);
    // The field mean is the truth's (a 16 x 16 sample of it), not an offset of the autocorrelations' amplitude.
    assertEquals(refMean, imgMean, 1e-3 * scale, "mean over the field");
    compareWithWsclean(msPath, img, scale);
  }

  /** WSClean (which also drops autocorrelations) on the same MS and grid; skipped with a reason when absent. */
  private void compareWithWsclean(Path ms, float[] img, double scale) throws Exception {
    if (!TestData.onPath("wsclean")) {
      System.out.println("wsclean not installed (apt-get install wsclean): WSClean comparison skipped");
      return;
    }
    float[] ws = WscleanDirty.image(ms, N, "0.5deg", tmp);
    double err = 0;
    for (int y = N / 4; y <= 3 * N / 4; y++) {
      for (int x = N / 4; x <= 3 * N / 4; x++) {
        err = Math.max(err, Math.abs(img[y * N + x] - ws[y * N + x]));
      }
    }
    System.out.printf("OVRO-LWA dirty vs WSClean: max inner difference %.3g (truth peak %.4g)%n", err, scale);
    assertTrue(err < 2e-3 * scale, "pclean vs WSClean " + err + " vs peak " + scale);
  }
}
