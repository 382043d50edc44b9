package org.pclean.ingest.source;

/**
 * Stokes I samples of a selection, ready to grid: one uvw per row, one frequency per channel.
 *
 * @param uvw {@code [row * 3 + k]}, metres, as stored in the MS
 * @param freq channel frequencies, Hz
 * @param width channel widths, Hz
 * @param vis Stokes I {@code [(row * nchan + chan) * 2 + {re, im}]}, Jy
 * @param weight natural weights {@code [row * nchan + chan]}; 0 for flagged samples
 * @param phaseCentre [ra, dec] J2000 radians of the selected field
 * @param densityExcluded {@code [row * nchan + chan]}: true for a sample that is imaged but stays out of the
 *     uniform/briggs weight density (CASA: a sample with any correlation flagged, e.g. one parallel hand)
 */
public record VisibilityData(double[] uvw, double[] freq, double[] width, float[] vis, float[] weight,
    double[] phaseCentre, boolean[] densityExcluded) {
  public VisibilityData {
    if (densityExcluded.length != weight.length) {
      throw new IllegalArgumentException("densityExcluded has " + densityExcluded.length + " samples, weight "
          + weight.length);
    }
  }

  /** Samples that all enter the weight density (no sample with a flagged correlation). */
  public VisibilityData(double[] uvw, double[] freq, double[] width, float[] vis, float[] weight,
      double[] phaseCentre) {
    this(uvw, freq, width, vis, weight, phaseCentre, new boolean[weight.length]);
  }

  public int numRows() {
    return uvw.length / 3;
  }

  public int numChannels() {
    return freq.length;
  }

  /** The samples of one channel (a cube plane), sharing uvw. */
  public VisibilityData channel(int chan) {
    int nrow = numRows();
    int nchan = numChannels();
    float[] v = new float[2 * nrow];
    float[] w = new float[nrow];
    boolean[] x = new boolean[nrow];
    for (int r = 0; r < nrow; r++) {
      int i = r * nchan + chan;
      v[2 * r] = vis[2 * i];
      v[2 * r + 1] = vis[2 * i + 1];
      w[r] = weight[i];
      x[r] = densityExcluded[i];
    }
    return new VisibilityData(uvw, new double[] {freq[chan]}, new double[] {width[chan]}, v, w, phaseCentre, x);
  }

  /** The same samples with other visibilities (e.g. residual = data - model). */
  public VisibilityData withVis(float[] newVis) {
    return new VisibilityData(uvw, freq, width, newVis, weight, phaseCentre, densityExcluded);
  }

  /** Number of samples with positive weight. */
  public long unflaggedSamples() {
    long n = 0;
    for (float x : weight) {
      if (x > 0) {
        n++;
      }
    }
    return n;
  }
}
