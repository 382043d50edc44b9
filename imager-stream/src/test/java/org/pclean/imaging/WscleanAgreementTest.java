package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.TestData;
import org.pclean.ingest.params.TcleanParams;

/**
 * Natural-weighted dirty images of the two real MSs against WSClean run with matching conventions (no w-layers, no
 * small inversion, padding 2 like ours): within 2 % of the peak at every pixel (issue 10's criterion), except where
 * WSClean itself departs from the direct Fourier sum of the MS and we do not — on the OVRO-LWA all-sky image, a few
 * pixels of the outermost row and column, where WSClean is 2.1 % of the peak off the sum and we are within 0.002 %;
 * those are checked against the sum instead, and may be at most 1 % of the image. Part of what remains is
 * WSClean's Stokes-I weight, 4 min(w_a, w_b) for the two parallel hands, where CASA (and we) grid (a + b)/2 at
 * (w_a + w_b)/2: measured here by direct sums of the MS with each rule (no gridder involved) and printed.
 */
class WscleanAgreementTest {
  private static final double C = 299792458.0;
  private static final int STEP = 16;  // the weight rules compared at every 16th pixel

  @TempDir Path tmp;

  @Test
  void vlaDirtyImageAgreesWithWsclean() throws Exception {
    agree(TestData.VLA, 256, Math.toRadians(0.4 / 3600), "0.4asec");
  }

  @Test
  void lwaDirtyImageAgreesWithWsclean() throws Exception {
    agree(TestData.LWA, 128, Math.toRadians(0.5), "0.5deg");
  }

  private void agree(String name, int n, double cell, String wsScale) throws Exception {
    assumeTrue(TestData.onPath("wsclean"), "wsclean not installed (apt-get install wsclean): skipped");
    Path ms = TestData.unpack(name, tmp);
    TcleanParams p = TcleanParams.builder().vis(ms).imagename(tmp.resolve("pc").toString()).imsize(n, n)
        .cell(cell, cell).datacolumn(DataColumn.DATA).padding(2.0).niter(0).build();
    SerialImager.run(p);
    float[] ours;
    try (CasaImage residual = CasaImage.open(tmp.resolve("pc.residual"))) {
      ours = residual.readPlane(0, 0);
    }
    float[] ws = WscleanDirty.image(ms, n, wsScale, tmp);
    double peak = 0;
    for (float v : ws) {
      peak = Math.max(peak, Math.abs(v));
    }
    assertTrue(peak > 0, "WSClean's image is empty");
    StokesISums sums = StokesISums.of(ms);
    // Every pixel beyond 2 %: which of the two imagers is off there is decided by the direct Fourier sum.
    double worst = 0;
    double worstOurs = 0;
    double worstWs = 0;
    int beyond = 0;
    int inmost = 0;  // the largest distance from the image edge (pixels) of a pixel beyond 2 %
    for (int i = 0; i < ours.length; i++) {
      double d = Math.abs(ours[i] - ws[i]);
      worst = Math.max(worst, d);
      if (d > 0.02 * peak) {
        beyond++;
        int x = i % n;
        int y = i / n;
        inmost = Math.max(inmost, Math.min(Math.min(x, y), Math.min(n - 1 - x, n - 1 - y)));
        double truth = sums.at(n, cell, i % n, i / n)[0];
        double oursOff = Math.abs(ours[i] - truth);
        double wsOff = Math.abs(ws[i] - truth);
        worstOurs = Math.max(worstOurs, oursOff);
        worstWs = Math.max(worstWs, wsOff);
        assertTrue(oursOff < wsOff && oursOff < 0.005 * peak, name + ": pixel (" + i % n + ", " + i / n
            + ") differs from WSClean by " + d + " and from the direct Fourier sum by " + oursOff);
      }
    }
    double rule = 0;
    for (int y = STEP / 2; y < n; y += STEP) {
      for (int x = STEP / 2; x < n; x += STEP) {
        double[] both = sums.at(n, cell, x, y);
        rule = Math.max(rule, Math.abs(both[0] - both[1]));
      }
    }
    System.out.printf(Locale.ROOT, "%s dirty %d^2 vs WSClean: max difference %.3f %% of the peak %.4g; %d of %d"
        + " pixels beyond 2 %% (at most %d pixels from the edge), where pclean is within %.3f %% of the direct Fourier sum and WSClean"
        + " %.3f %%; the Stokes-I weight rules alone (direct sums) differ by %.3f %%%n", name, n,
        100 * worst / peak, peak, beyond, ours.length, inmost, 100 * worstOurs / peak, 100 * worstWs / peak,
        100 * rule / peak);
    assertTrue(beyond <= ours.length / 100, name + ": " + beyond + " pixels beyond 2 % of the peak");
  }

  /**
   * The MS's unflagged cross-correlation Stokes I samples (both parallel hands unflagged with positive weight), for
   * direct Fourier sums at single pixels with CASA's rule (mean of the hands, weight (w_a + w_b)/2) and WSClean's
   * (weight 4 min(w_a, w_b)), each normalised by its own sum of weights. Pixel (x, y) sits at
   * l = -(x - n/2) cell, m = (y - n/2) cell, as in our images and WSClean's.
   */
  private record StokesISums(double[] u, double[] v, double[] re, double[] im, double[] wCasa, double[] wWsclean) {
    static StokesISums of(Path msPath) {
      try (MeasurementSet ms = MeasurementSet.open(msPath)) {
        int nrow = (int) ms.numRows();
        double[] freq = ms.metadata().spectralWindows().get(0).channelFrequencies();
        int nchan = freq.length;
        List<CorrelationType> corrs = ms.metadata().polarizations().get(0).correlations();
        int[] hands = parallelHands(corrs);
        int ncorr = corrs.size();
        int[] a1 = ms.readIntColumn("ANTENNA1", 0, nrow);
        int[] a2 = ms.readIntColumn("ANTENNA2", 0, nrow);
        float[] vis = ms.readVisibilities(DataColumn.DATA, 0, nrow, 0, nchan);
        float[] wt = ms.readWeights(0, nrow, 0, nchan);
        byte[] flags = ms.readFlags(0, nrow, 0, nchan);
        double[] uvw = ms.readUvw(0, nrow);
        int[] keep = new int[nrow * nchan];
        int k = 0;
        for (int r = 0; r < nrow; r++) {
          for (int c = 0; c < nchan && a1[r] != a2[r]; c++) {
            int s = r * nchan + c;
            int ia = s * ncorr + hands[0];
            int ib = s * ncorr + hands[1];
            if (flags[ia] == 0 && flags[ib] == 0 && wt[ia] > 0 && wt[ib] > 0) {
              keep[k++] = s;
            }
          }
        }
        StokesISums out = new StokesISums(new double[k], new double[k], new double[k], new double[k],
            new double[k], new double[k]);
        for (int j = 0; j < k; j++) {
          int s = keep[j];
          int r = s / nchan;
          int ia = s * ncorr + hands[0];
          int ib = s * ncorr + hands[1];
          double lambdas = freq[s % nchan] / C;
          out.u[j] = uvw[3 * r] * lambdas;
          out.v[j] = uvw[3 * r + 1] * lambdas;
          out.re[j] = (vis[2 * ia] + vis[2 * ib]) / 2.0;
          out.im[j] = (vis[2 * ia + 1] + vis[2 * ib + 1]) / 2.0;
          out.wCasa[j] = (wt[ia] + wt[ib]) / 2.0;
          out.wWsclean[j] = 4.0 * Math.min(wt[ia], wt[ib]);
        }
        return out;
      }
    }

    /** {CASA's rule, WSClean's rule} at pixel (x, y) of an n x n image of the given cell. */
    double[] at(int n, double cell, int x, int y) {
      double l = -(x - n / 2) * cell;
      double m = (y - n / 2) * cell;
      double casa = 0;
      double casaW = 0;
      double wsc = 0;
      double wscW = 0;
      for (int j = 0; j < u.length; j++) {
        double ph = -2 * Math.PI * (u[j] * l + v[j] * m);
        double real = re[j] * Math.cos(ph) - im[j] * Math.sin(ph);
        casa += wCasa[j] * real;
        casaW += wCasa[j];
        wsc += wWsclean[j] * real;
        wscW += wWsclean[j];
      }
      return new double[] {casa / casaW, wsc / wscW};
    }
  }

  /** The positions of the two parallel hands (XX and YY, or RR and LL) among the correlation types. */
  private static int[] parallelHands(List<CorrelationType> types) {
    int a = -1;
    int b = -1;
    for (int i = 0; i < types.size(); i++) {
      if (types.get(i) == CorrelationType.RR || types.get(i) == CorrelationType.XX) {
        a = i;
      } else if (types.get(i) == CorrelationType.LL || types.get(i) == CorrelationType.YY) {
        b = i;
      }
    }
    assertTrue(a >= 0 && b >= 0, "no pair of parallel hands");
    return new int[] {a, b};
  }
}
