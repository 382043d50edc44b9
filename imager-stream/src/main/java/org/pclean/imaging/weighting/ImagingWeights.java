package org.pclean.imaging.weighting;

import org.pclean.imaging.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;

/**
 * Imaging weights from natural weights, as CASA computes them (DESIGN.md §4):
 * <ul>
 *   <li>density W_k = Σ natural weights in uv cell k of the image grid (cell 1/(N·cell)); a sample and its
 *       Hermitian twin (-u,-v) fall in the same cell, since each visibility measures both;
 *   <li>uniform: w / W_k; briggs (rmode norm): w / (1 + W_k f²), f² = (5·10^-R)² / (Σ_k W_k² / Σ_i w_i);
 *   <li>uvtaper: × exp(-2π²σ²(u²+v²)), σ = FWHM / (2√(2 ln 2)) of the image-plane Gaussian.
 * </ul>
 * The density is its own step so that row-chunk workers can sum their densities before weighting (parallel
 * weights then equal serial weights).
 */
public final class ImagingWeights {
  private static final double C = 299792458.0;

  private final int nx;
  private final int ny;
  private final double cellx;
  private final double celly;

  public ImagingWeights(int nx, int ny, double cellx, double celly) {
    this.nx = nx;
    this.ny = ny;
    this.cellx = cellx;
    this.celly = celly;
  }

  /** Adds the natural weights of data into density (nx*ny, cell index (kv + ny/2) * nx + ku + nx/2). */
  public void accumulateDensity(VisibilityData d, double[] density) {
    int nchan = d.numChannels();
    for (int r = 0; r < d.numRows(); r++) {
      for (int c = 0; c < nchan; c++) {
        float w = d.weight()[r * nchan + c];
        if (w > 0) {
          int cell = cellOf(d, r, c);
          if (cell >= 0) {
            density[cell] += w;
          }
        }
      }
    }
  }

  public double[] density(VisibilityData d) {
    double[] density = new double[nx * ny];
    accumulateDensity(d, density);
    return density;
  }

  /** Imaging weights for data given the (possibly gathered) density; samples off the uv grid get weight 0. */
  public float[] apply(VisibilityData d, double[] density, WeightingMode mode, double robust, double taperFwhm) {
    int nchan = d.numChannels();
    float[] out = new float[d.weight().length];
    double f2 = 0;
    if (mode == WeightingMode.BRIGGS) {
      double sumW2 = 0;
      for (double w : density) {
        sumW2 += w * w;
      }
      double sumNatural = 0;
      for (double w : density) {
        sumNatural += w;
      }
      double s = 5 * Math.pow(10, -robust);
      f2 = sumW2 > 0 ? s * s / (sumW2 / sumNatural) : 0;
    }
    double sigma = taperFwhm / (2 * Math.sqrt(2 * Math.log(2)));
    double taper = -2 * Math.PI * Math.PI * sigma * sigma;
    for (int r = 0; r < d.numRows(); r++) {
      for (int c = 0; c < nchan; c++) {
        int i = r * nchan + c;
        float w = d.weight()[i];
        if (!(w > 0)) {
          continue;
        }
        int cell = cellOf(d, r, c);
        if (cell < 0) {
          continue;
        }
        double wk = density[cell];
        double out1 = switch (mode) {
          case NATURAL -> w;
          case UNIFORM -> w / wk;
          case BRIGGS -> w / (1 + wk * f2);
        };
        if (taperFwhm > 0) {
          double s = d.freq()[c] / C;
          double u = d.uvw()[3 * r] * s;
          double v = d.uvw()[3 * r + 1] * s;
          out1 *= Math.exp(taper * (u * u + v * v));
        }
        out[i] = (float) out1;
      }
    }
    return out;
  }

  /** Density-grid cell of a sample, folded onto one half plane; -1 when off the grid. */
  private int cellOf(VisibilityData d, int r, int c) {
    double s = d.freq()[c] / C;
    double u = d.uvw()[3 * r] * s * nx * cellx;
    double v = d.uvw()[3 * r + 1] * s * ny * celly;
    if (u < 0 || (u == 0 && v < 0)) {  // fold before rounding, so twins land in mirrored cells
      u = -u;
      v = -v;
    }
    long ku = Math.round(u);
    long kv = Math.round(v);
    if (ku >= nx / 2 || kv < -ny / 2 || kv >= ny / 2) {
      return -1;
    }
    return (int) ((kv + ny / 2) * nx + ku + nx / 2);
  }
}
