package org.pclean.casacore;

import java.util.Random;

/**
 * The gridders' definitions summed directly (the truth their tests compare with): pixel (x, y) at
 * {@code l = -(x - nx/2) cell, m = (y - ny/2) cell}, u, v, w = uvw · f / c.
 */
public final class DirectFourier {
  private static final double C = 299792458.0;

  /** Samples [row * nchan + chan]: uvw in metres, frequencies in Hz, interleaved complex vis, weights. */
  public record Samples(double[] uvw, double[] freq, float[] vis, float[] weight) {
    public int rows() {
      return uvw.length / 3;
    }
  }

  private DirectFourier() {}

  /** Random baselines within maxUv metres (|w| ≤ maxW) at 1.40 and 1.41 GHz, Gaussian vis, weights in [0.5, 1.5). */
  public static Samples random(int nrow, double maxUv, double maxW, long seed) {
    Random r = new Random(seed);
    double[] uvw = new double[3 * nrow];
    for (int i = 0; i < nrow; i++) {
      uvw[3 * i] = (2 * r.nextDouble() - 1) * maxUv;
      uvw[3 * i + 1] = (2 * r.nextDouble() - 1) * maxUv;
      uvw[3 * i + 2] = (2 * r.nextDouble() - 1) * maxW;
    }
    double[] freq = {1.4e9, 1.41e9};
    float[] vis = new float[2 * nrow * 2];
    float[] w = new float[nrow * 2];
    for (int i = 0; i < w.length; i++) {
      vis[2 * i] = (float) r.nextGaussian();
      vis[2 * i + 1] = (float) r.nextGaussian();
      w[i] = 0.5f + r.nextFloat();
    }
    return new Samples(uvw, freq, vis, w);
  }

  /** n - 1 at (l, m) when the w-term is wanted, else 0. */
  private static double nMinusOne(double l, double m, boolean wTerm) {
    return wTerm ? Math.sqrt(1 - l * l - m * m) - 1 : 0;
  }

  /** I(x,y) = Σ w Re[V exp(-2πi (u l + v m + w (n-1)))], row-major nx × nx. */
  public static double[] image(Samples d, int n, double cell, boolean wTerm) {
    double[] img = new double[n * n];
    int nchan = d.freq().length;
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        double l = -(x - n / 2) * cell;
        double m = (y - n / 2) * cell;
        double n1 = nMinusOne(l, m, wTerm);
        double sum = 0;
        for (int r = 0; r < d.rows(); r++) {
          for (int c = 0; c < nchan; c++) {
            double s = d.freq()[c] / C;
            double ph = -2 * Math.PI * s * (d.uvw()[3 * r] * l + d.uvw()[3 * r + 1] * m + d.uvw()[3 * r + 2] * n1);
            int i = r * nchan + c;
            sum += d.weight()[i] * (d.vis()[2 * i] * Math.cos(ph) - d.vis()[2 * i + 1] * Math.sin(ph));
          }
        }
        img[y * n + x] = sum;
      }
    }
    return img;
  }

  /** V = Σ M(x,y) exp(+2πi (u l + v m + w (n-1))) for every sample, interleaved complex. */
  public static double[] visibilities(float[] model, int n, double cell, double[] uvw, double[] freq, boolean wTerm) {
    int nrow = uvw.length / 3;
    double[] vis = new double[2 * nrow * freq.length];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        float flux = model[y * n + x];
        if (flux == 0) {
          continue;
        }
        double l = -(x - n / 2) * cell;
        double m = (y - n / 2) * cell;
        double n1 = nMinusOne(l, m, wTerm);
        for (int r = 0; r < nrow; r++) {
          for (int c = 0; c < freq.length; c++) {
            double s = freq[c] / C;
            double ph = 2 * Math.PI * s * (uvw[3 * r] * l + uvw[3 * r + 1] * m + uvw[3 * r + 2] * n1);
            int i = r * freq.length + c;
            vis[2 * i] += flux * Math.cos(ph);
            vis[2 * i + 1] += flux * Math.sin(ph);
          }
        }
      }
    }
    return vis;
  }
}
