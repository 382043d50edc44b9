package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.TestData;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our PSF on the shared real MSs against a direct Fourier sum PSF(l, m) = Σ w_i cos(2π(u_i l + v_i m)) / Σ w_i
 * over the Stokes I samples, with imaging weights computed here by CASA's rule (read from the MS by hand: (XX+YY)/2
 * at (w1 + w2)/2, one-hand samples gridded but out of the density, autocorrelations out; the density on the
 * image-sized grid, floor(−u N cell + N/2), floor(v N cell + N/2) with the Hermitian twin, indices 1..N−1).
 *
 * <p>Tolerance: the standard gridder convolves with CASA's prolate spheroidal (support 3 cells, padding 1.2) and
 * divides by its transform; what remains is the kernel's aliasing of PSF sidelobes that lie outside the image
 * back into it (the sparse coverage's sidelobes stay high to the edge) — a few 1e-3 of the peak for that kernel
 * at padding 1.2, largest near the edges: measured 4.2e-4..5.4e-4 (OVRO-LWA) and 8.5e-4..1.1e-3 (VLA) of the peak; 3e-3
 * bounds it with a margin, while a wrong density cell (floor vs round) moves weights by ~2x and the PSF by ~0.1.
 */
class DirectFourierPsfTest {
  private static final Logger LOG = LoggerFactory.getLogger(DirectFourierPsfTest.class);
  private static final double C = 299792458.0;
  private static final int N = 64;

  @TempDir Path tmp;

  /** Stokes I samples: u, v in wavelengths, natural weight, in-density flag. */
  private record Samples(double[] u, double[] v, double[] w, boolean[] inDensity) {}

  private static Samples read(MeasurementSet ms) {
    int nrow = (int) ms.numRows();
    double[] freq = ms.metadata().spectralWindows().get(0).channelFrequencies();
    int nchan = freq.length;
    List<CorrelationType> corr = ms.metadata().polarizations().get(0).correlations();
    int ncorr = corr.size();
    int h1 = -1;
    int h2 = -1;
    for (int k = 0; k < ncorr; k++) {
      if (corr.get(k).isParallelHand()) {
        if (h1 < 0) {
          h1 = k;
        } else {
          h2 = k;
        }
      }
    }
    int[] a1 = ms.readIntColumn("ANTENNA1", 0, nrow);
    int[] a2 = ms.readIntColumn("ANTENNA2", 0, nrow);
    float[] wt = ms.readWeights(0, nrow, 0, nchan);
    byte[] fl = ms.readFlags(0, nrow, 0, nchan);
    double[] uvw = ms.readUvw(0, nrow);
    int n = nrow * nchan;
    double[] u = new double[n];
    double[] v = new double[n];
    double[] w = new double[n];
    boolean[] in = new boolean[n];
    for (int r = 0; r < nrow; r++) {
      for (int c = 0; c < nchan; c++) {
        int s = r * nchan + c;
        u[s] = uvw[3 * r] * freq[c] / C;
        v[s] = uvw[3 * r + 1] * freq[c] / C;
        if (a1[r] == a2[r]) {
          continue;
        }
        boolean ok1 = fl[s * ncorr + h1] == 0 && wt[s * ncorr + h1] > 0;
        boolean ok2 = fl[s * ncorr + h2] == 0 && wt[s * ncorr + h2] > 0;
        boolean anyFlag = false;
        for (int k = 0; k < ncorr; k++) {
          anyFlag |= fl[s * ncorr + k] != 0;
        }
        w[s] = ok1 && ok2 ? (wt[s * ncorr + h1] + wt[s * ncorr + h2]) / 2.0
            : ok1 ? wt[s * ncorr + h1] : ok2 ? wt[s * ncorr + h2] : 0;
        in[s] = w[s] > 0 && !anyFlag;
      }
    }
    return new Samples(u, v, w, in);
  }

  /** CASA's VisImagingWeight by hand (see the class comment), in double precision. */
  private static double[] imagingWeights(Samples d, WeightingMode mode, double robust, double cell) {
    int n = d.w().length;
    if (mode == WeightingMode.NATURAL) {
      return d.w().clone();
    }
    double[] grid = new double[N * N];
    for (int s = 0; s < n; s++) {
      if (d.inDensity()[s]) {
        for (int sign = -1; sign <= 1; sign += 2) {
          int iu = (int) Math.floor(-sign * d.u()[s] * N * cell + N / 2);
          int iv = (int) Math.floor(sign * d.v()[s] * N * cell + N / 2);
          if (iu > 0 && iu < N && iv > 0 && iv < N) {
            grid[iv * N + iu] += d.w()[s];
          }
        }
      }
    }
    double sumW = 0;
    double sumW2 = 0;
    for (double g : grid) {
      sumW += g;
      sumW2 += g * g;
    }
    double f2 = Math.pow(5 * Math.pow(10, -robust), 2) / (sumW2 / sumW);
    double[] out = new double[n];
    for (int s = 0; s < n; s++) {
      if (!(d.w()[s] > 0)) {
        continue;
      }
      int iu = (int) Math.floor(-d.u()[s] * N * cell + N / 2);
      int iv = (int) Math.floor(d.v()[s] * N * cell + N / 2);
      double wk = iu > 0 && iu < N && iv > 0 && iv < N ? grid[iv * N + iu] : 0;
      if (wk > 0) {
        out[s] = mode == WeightingMode.UNIFORM ? d.w()[s] / wk : d.w()[s] / (1 + wk * f2);
      }
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({
      "vla_day2_TDEM0003_J1008+0730.ms, 0.4, natural",
      "vla_day2_TDEM0003_J1008+0730.ms, 0.4, uniform",
      "vla_day2_TDEM0003_J1008+0730.ms, 0.4, briggs",
      "ovro_lwa_20180321_downselected.ms, 1800, natural",
      "ovro_lwa_20180321_downselected.ms, 1800, uniform",
      "ovro_lwa_20180321_downselected.ms, 1800, briggs"})
  void psfEqualsTheDirectFourierSum(String msName, double cellArcsec, String weighting) throws Exception {
    Path msPath = TestData.unpack(msName, tmp);
    double cell = Math.toRadians(cellArcsec / 3600);
    WeightingMode mode = WeightingMode.parse(weighting);
    double robust = 0.5;
    TcleanParams p = TcleanParams.builder().vis(msPath).imagename(tmp.resolve("psf").toString()).imsize(N, N)
        .cell(cell, cell).datacolumn(DataColumn.DATA).weighting(mode).robust(robust).niter(0).threads(1).build();
    Samples d;
    try (MeasurementSet ms = MeasurementSet.open(msPath)) {
      d = read(ms);
    }
    double[] w = imagingWeights(d, mode, robust, cell);
    SerialImager.run(p);
    float[] psf;
    try (CasaImage img = CasaImage.open(tmp.resolve("psf.psf"))) {
      psf = img.readPlane(0, 0);
    }
    double sumw = 0;
    for (double x : w) {
      sumw += x;
    }
    assertTrue(sumw > 0);
    double maxDiff = 0;
    int checked = 0;
    // 49 pixels: a 7 x 7 lattice over the whole image, plus the main lobe around the centre.
    for (int y = 2; y < N; y += 10) {
      for (int x = 3; x < N; x += 10) {
        maxDiff = Math.max(maxDiff, Math.abs(psf[y * N + x] - direct(d, w, sumw, x, y, cell)));
        checked++;
      }
    }
    for (int y = N / 2 - 1; y <= N / 2 + 1; y++) {
      for (int x = N / 2 - 1; x <= N / 2 + 1; x++) {
        maxDiff = Math.max(maxDiff, Math.abs(psf[y * N + x] - direct(d, w, sumw, x, y, cell)));
        checked++;
      }
    }
    LOG.info(String.format(java.util.Locale.ROOT, "%s %s: max |PSF - direct sum| = %.3g of the peak over %d pixels",
        msName, weighting, maxDiff, checked));
    assertEquals(1.0, psf[(N / 2) * N + N / 2], 1e-5, "PSF peak");
    assertTrue(maxDiff < 3e-3, msName + " " + weighting + ": max difference " + maxDiff);
  }

  /** PSF at pixel (x, y): l = −(x − N/2) cell (RA to the left), m = (y − N/2) cell. */
  private static double direct(Samples d, double[] w, double sumw, int x, int y, double cell) {
    double l = -(x - N / 2) * cell;
    double m = (y - N / 2) * cell;
    double sum = 0;
    for (int s = 0; s < w.length; s++) {
      if (w[s] > 0) {
        sum += w[s] * Math.cos(2 * Math.PI * (d.u()[s] * l + d.v()[s] * m));
      }
    }
    return sum / sumw;
  }
}
