package org.pclean.imaging;

/**
 * mtmfs Taylor weighting about the reference frequency ν0: x_c = (ν_c - ν0)/ν0 per channel, and term t weights a
 * sample by x_c^t. With nterms 1 there is one term and x^0 = 1, so the same code serves every deconvolver. The
 * serial engine and the continuum workers use this one definition, so their partial images sum to the serial ones.
 */
public final class TaylorTerms {
  private final int nterms;
  /** xPow[t][c] = x_c^t for t < 2·nterms - 1 (the PSF terms). */
  private final double[][] xPow;

  public TaylorTerms(int nterms, double[] freq, double freq0) {
    this.nterms = nterms;
    xPow = new double[2 * nterms - 1][freq.length];
    for (int c = 0; c < freq.length; c++) {
      double x = (freq[c] - freq0) / freq0;
      for (int t = 0; t < xPow.length; t++) {
        xPow[t][c] = Math.pow(x, t);
      }
    }
  }

  public int nterms() {
    return nterms;
  }

  /** Imaging weights of every PSF term (2·nterms - 1): term 0 is weights itself. */
  public float[][] weights(float[] weights) {
    float[][] out = new float[xPow.length][];
    int nchan = xPow[0].length;
    for (int t = 0; t < out.length; t++) {
      if (t == 0) {
        out[t] = weights;
        continue;
      }
      out[t] = new float[weights.length];
      for (int i = 0; i < weights.length; i++) {
        out[t][i] = (float) (weights[i] * xPow[t][i % nchan]);
      }
    }
    return out;
  }

  /** diff -= the visibilities of model term t ({@code pred}), scaled by x_c^t: the spectral model's sum. */
  public void subtract(float[] diff, float[] pred, int t) {
    accumulate(diff, pred, t, -1);
  }

  /** sum += the visibilities of model term t, scaled by x_c^t (the model's own visibilities, for savemodel). */
  public void add(float[] sum, float[] pred, int t) {
    accumulate(sum, pred, t, 1);
  }

  private void accumulate(float[] acc, float[] pred, int t, int sign) {
    int nchan = xPow[0].length;
    for (int i = 0; i < acc.length; i++) {
      acc[i] += sign * (t == 0 ? pred[i] : (float) (pred[i] * xPow[t][(i / 2) % nchan]));
    }
  }
}
