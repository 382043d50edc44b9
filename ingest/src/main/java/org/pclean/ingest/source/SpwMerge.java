package org.pclean.ingest.source;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Puts the selections of several spectral windows (and several channel ranges of one) into one
 * {@link VisibilityData}, whose layout is rows × channels with one frequency per channel. Ranges of one spw share
 * its rows: their channels are appended. Different spws have different rows (their own data descriptions): the
 * rows are stacked and each row's samples in the other spws' channels are zero-weight padding (out of the image,
 * the PSF, the sums of weights and the density), so the engine needs no notion of spw. The cost is memory:
 * rows × channels of the whole selection, e.g. twice the samples for two equal spws.
 */
public final class SpwMerge {
  private SpwMerge() {}

  /** Two channel selections of the same rows (two ranges of one spw): b's channels after a's. */
  public static VisibilityData sameRows(VisibilityData a, VisibilityData b) {
    if (a.numRows() != b.numRows() || !Arrays.equals(a.uvw(), b.uvw())) {
      throw new IllegalStateException("channel ranges of one spw read different rows");
    }
    int nrow = a.numRows();
    int na = a.numChannels();
    int nb = b.numChannels();
    int n = na + nb;
    float[] vis = new float[2 * nrow * n];
    float[] weight = new float[nrow * n];
    boolean[] excluded = new boolean[nrow * n];
    for (int r = 0; r < nrow; r++) {
      System.arraycopy(a.vis(), 2 * r * na, vis, 2 * r * n, 2 * na);
      System.arraycopy(b.vis(), 2 * r * nb, vis, 2 * (r * n + na), 2 * nb);
      System.arraycopy(a.weight(), r * na, weight, r * n, na);
      System.arraycopy(b.weight(), r * nb, weight, r * n + na, nb);
      System.arraycopy(a.densityExcluded(), r * na, excluded, r * n, na);
      System.arraycopy(b.densityExcluded(), r * nb, excluded, r * n + na, nb);
    }
    return new VisibilityData(a.uvw(), concat(a.freq(), b.freq()), concat(a.width(), b.width()), vis, weight,
        a.phaseCentre(), excluded);
  }

  /** Two spws' selections: a's rows then b's, a's channels then b's, zero weight where a row has no sample. */
  public static VisibilityData stack(VisibilityData a, VisibilityData b) {
    int ra = a.numRows();
    int rb = b.numRows();
    int na = a.numChannels();
    int nb = b.numChannels();
    int n = na + nb;
    int nrow = ra + rb;
    float[] vis = new float[Math.multiplyExact(2 * nrow, n)];
    float[] weight = new float[Math.multiplyExact(nrow, n)];
    boolean[] excluded = new boolean[weight.length];
    Arrays.fill(excluded, true);
    for (int r = 0; r < ra; r++) {
      System.arraycopy(a.vis(), 2 * r * na, vis, 2 * r * n, 2 * na);
      System.arraycopy(a.weight(), r * na, weight, r * n, na);
      System.arraycopy(a.densityExcluded(), r * na, excluded, r * n, na);
    }
    for (int r = 0; r < rb; r++) {
      int row = ra + r;
      System.arraycopy(b.vis(), 2 * r * nb, vis, 2 * (row * n + na), 2 * nb);
      System.arraycopy(b.weight(), r * nb, weight, row * n + na, nb);
      System.arraycopy(b.densityExcluded(), r * nb, excluded, row * n + na, nb);
    }
    return new VisibilityData(concat(a.uvw(), b.uvw()), concat(a.freq(), b.freq()), concat(a.width(), b.width()),
        vis, weight, a.phaseCentre(), excluded);
  }

  /**
   * The channels in frequency order, as tclean lays out a cube over several spws: ascending when the first
   * channel's width is positive, descending otherwise; the same data when already in order.
   */
  public static VisibilityData byFrequency(VisibilityData d) {
    int n = d.numChannels();
    double sign = d.width()[0] >= 0 ? 1 : -1;
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(c -> sign * d.freq()[c]));
    boolean sorted = true;
    for (int c = 0; c < n; c++) {
      sorted &= order[c] == c;
    }
    if (sorted) {
      return d;
    }
    int nrow = d.numRows();
    double[] freq = new double[n];
    double[] width = new double[n];
    float[] vis = new float[d.vis().length];
    float[] weight = new float[d.weight().length];
    boolean[] excluded = new boolean[weight.length];
    for (int c = 0; c < n; c++) {
      int from = order[c];
      freq[c] = d.freq()[from];
      width[c] = d.width()[from];
      for (int r = 0; r < nrow; r++) {
        int i = r * n + c;
        int j = r * n + from;
        vis[2 * i] = d.vis()[2 * j];
        vis[2 * i + 1] = d.vis()[2 * j + 1];
        weight[i] = d.weight()[j];
        excluded[i] = d.densityExcluded()[j];
      }
    }
    return new VisibilityData(d.uvw(), freq, width, vis, weight, d.phaseCentre(), excluded);
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
