package org.pclean.ingest.source;

import org.pclean.ingest.plan.SpectralAxis;

/**
 * tclean's spectral regridding of a cube's data onto its output channels, row by row: each output channel at
 * frequency F takes the selected channels' samples interpolated to F — linear (the two channels around F, in
 * proportion to their distance; a sample is flagged when either neighbour is, unless F coincides with the other)
 * or nearest (the closest channel) — and is gridded at F. An output channel that coincides with an input one
 * (within 1e-6 of the increment) is that channel's samples unchanged.
 */
public final class ChannelRegridder {
  /** tclean's interpolation: how an output channel between two input ones is made. */
  public enum Interpolation {
    LINEAR, NEAREST;

    public static Interpolation parse(String s) {
      return org.pclean.ingest.params.TcleanParams.parse(Interpolation.class, "interpolation", s);
    }
  }

  private ChannelRegridder() {}

  /** d's channels must be in frequency order (ascending or descending), as the loader delivers them. */
  public static VisibilityData regrid(VisibilityData d, SpectralAxis.Grid grid, Interpolation mode) {
    int nin = d.numChannels();
    int nout = grid.nchan();
    int nrow = d.numRows();
    double[] f = d.freq();
    double step = nin > 1 ? Math.abs(f[1] - f[0]) : Math.abs(grid.dfreq());
    double[] freq = new double[nout];
    double[] width = new double[nout];
    int[] lo = new int[nout];
    int[] hi = new int[nout];
    double[] t = new double[nout];
    for (int k = 0; k < nout; k++) {
      double fk = grid.freq(k);
      freq[k] = fk;
      width[k] = Math.abs(grid.dfreq());
      int a = 0;
      for (int c = 0; c < nin; c++) {
        if (Math.abs(f[c] - fk) < Math.abs(f[a] - fk)) {
          a = c;
        }
      }
      if (mode == Interpolation.NEAREST || Math.abs(f[a] - fk) <= 1e-6 * step || nin == 1) {
        lo[k] = a;
        hi[k] = a;
        continue;
      }
      // The neighbour on F's other side of the nearest channel a.
      int b = (fk - f[a]) * (nin > 1 ? Math.signum(f[1] - f[0]) : 1) > 0 ? a + 1 : a - 1;
      if (b < 0 || b >= nin) {
        throw new IllegalArgumentException("output channel " + k + " at " + fk + " Hz lies outside the selected"
            + " channels");
      }
      lo[k] = a;
      hi[k] = b;
      t[k] = (fk - f[a]) / (f[b] - f[a]);
    }
    float[] vis = new float[2 * nrow * nout];
    float[] weight = new float[nrow * nout];
    boolean[] excluded = new boolean[nrow * nout];
    for (int r = 0; r < nrow; r++) {
      for (int k = 0; k < nout; k++) {
        int o = r * nout + k;
        int i = r * nin + lo[k];
        int j = r * nin + hi[k];
        if (lo[k] == hi[k]) {
          vis[2 * o] = d.vis()[2 * i];
          vis[2 * o + 1] = d.vis()[2 * i + 1];
          weight[o] = d.weight()[i];
          excluded[o] = d.densityExcluded()[i];
          continue;
        }
        float wa = d.weight()[i];
        float wb = d.weight()[j];
        if (!(wa > 0) || !(wb > 0)) {
          excluded[o] = true;
          continue;  // weight 0: flagged
        }
        double u = t[k];
        vis[2 * o] = (float) ((1 - u) * d.vis()[2 * i] + u * d.vis()[2 * j]);
        vis[2 * o + 1] = (float) ((1 - u) * d.vis()[2 * i + 1] + u * d.vis()[2 * j + 1]);
        weight[o] = (float) ((1 - u) * wa + u * wb);
        excluded[o] = d.densityExcluded()[i] || d.densityExcluded()[j];
      }
    }
    return new VisibilityData(d.uvw(), freq, width, vis, weight, d.phaseCentre(), excluded);
  }
}
