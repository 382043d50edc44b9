package org.pclean.ingest.source;

import org.pclean.ingest.plan.SpectralAxis;

/**
 * tclean's spectral regridding of a cube's data onto its output channels, row by row: each output channel at
 * frequency F takes the selected channels' samples interpolated to F — linear (the two channels around F, in
 * proportion to their distance; a sample is flagged when either neighbour is, unless F coincides with the other)
 * or nearest (the closest channel) — and is gridded at F. An output channel that coincides with an input one
 * (within 1e-6 of the increment) is that channel's samples unchanged. With an output frame other than the data's,
 * each row's channels are first moved into it by that row's Doppler factor (its time's TOPO→frame ratio), so the
 * interpolation follows the Earth's motion through the observation, as tclean's does; an output channel a row's
 * channels do not reach is flagged in that row.
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

  /** As {@link #regrid(VisibilityData, SpectralAxis.Grid, Interpolation, double[])} in the data's own frame. */
  public static VisibilityData regrid(VisibilityData d, SpectralAxis.Grid grid, Interpolation mode) {
    return regrid(d, grid, mode, null);
  }

  /**
   * d's channels must be in frequency order (ascending or descending), as the loader delivers them.
   *
   * @param rowScale per row, the factor taking its channel frequencies into the grid's frame (null: 1)
   */
  public static VisibilityData regrid(VisibilityData d, SpectralAxis.Grid grid, Interpolation mode,
      double[] rowScale) {
    int nin = d.numChannels();
    int nout = grid.nchan();
    int nrow = d.numRows();
    double[] freq = new double[nout];
    double[] width = new double[nout];
    for (int k = 0; k < nout; k++) {
      freq[k] = grid.freq(k);
      width[k] = Math.abs(grid.dfreq());
    }
    float[] vis = new float[2 * nrow * nout];
    float[] weight = new float[nrow * nout];
    boolean[] excluded = new boolean[nrow * nout];
    Neighbours nb = null;
    for (int r = 0; r < nrow; r++) {
      double s = rowScale == null ? 1 : rowScale[r];
      if (nb == null || nb.scale != s) {
        nb = new Neighbours(d.freq(), s, freq, mode, rowScale == null);
      }
      for (int k = 0; k < nout; k++) {
        int o = r * nout + k;
        if (nb.lo[k] < 0) {
          excluded[o] = true;
          continue;  // outside this row's channels: weight 0
        }
        int i = r * nin + nb.lo[k];
        int j = r * nin + nb.hi[k];
        if (nb.lo[k] == nb.hi[k]) {
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
        double u = nb.t[k];
        vis[2 * o] = (float) ((1 - u) * d.vis()[2 * i] + u * d.vis()[2 * j]);
        vis[2 * o + 1] = (float) ((1 - u) * d.vis()[2 * i + 1] + u * d.vis()[2 * j + 1]);
        weight[o] = (float) ((1 - u) * wa + u * wb);
        excluded[o] = d.densityExcluded()[i] || d.densityExcluded()[j];
      }
    }
    return new VisibilityData(d.uvw(), freq, width, vis, weight, d.phaseCentre(), excluded);
  }

  /** For one Doppler factor: each output channel's input channels lo, hi (-1: none) and the share t of hi. */
  private static final class Neighbours {
    final double scale;
    final int[] lo;
    final int[] hi;
    final double[] t;

    Neighbours(double[] dataFreq, double scale, double[] out, Interpolation mode, boolean mustReach) {
      this.scale = scale;
      int nin = dataFreq.length;
      double[] f = new double[nin];
      for (int c = 0; c < nin; c++) {
        f[c] = dataFreq[c] * scale;
      }
      double step = nin > 1 ? Math.abs(f[1] - f[0]) : 0;
      double dir = nin > 1 ? Math.signum(f[1] - f[0]) : 1;
      lo = new int[out.length];
      hi = new int[out.length];
      t = new double[out.length];
      for (int k = 0; k < out.length; k++) {
        double fk = out[k];
        int a = nearest(f, fk, dir);
        double tol = nin > 1 ? 1e-6 * step : Double.MAX_VALUE;
        boolean inside = nin > 1 && (fk - f[0]) * dir >= -tol && (f[nin - 1] - fk) * dir >= -tol;
        if (!inside && nin > 1) {
          if (mustReach) {
            throw new IllegalArgumentException("output channel " + k + " at " + fk + " Hz lies outside the"
                + " selected channels");
          }
          lo[k] = -1;
          hi[k] = -1;
          continue;
        }
        if (mode == Interpolation.NEAREST || Math.abs(f[a] - fk) <= tol) {
          lo[k] = a;
          hi[k] = a;
          continue;
        }
        int b = (fk - f[a]) * dir > 0 ? a + 1 : a - 1;
        lo[k] = a;
        hi[k] = b;
        t[k] = (fk - f[a]) / (f[b] - f[a]);
      }
    }

    /** The channel nearest fk by binary search over channels in direction dir (+1 ascending). */
    private static int nearest(double[] f, double fk, double dir) {
      int lo = 0;
      int hi = f.length - 1;
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if ((f[mid] - fk) * dir <= 0) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      return Math.abs(f[lo] - fk) <= Math.abs(f[hi] - fk) ? lo : hi;
    }
  }
}
