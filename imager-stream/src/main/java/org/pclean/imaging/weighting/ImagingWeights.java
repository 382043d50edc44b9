package org.pclean.imaging.weighting;

import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;

/**
 * Imaging weights from natural weights, as CASA computes them (DESIGN.md §4; CASA 6 msvis
 * {@code VisImagingWeight.cc}: the constructor that grids the density, {@code weightUniform}, {@code filter}):
 * <ul>
 *   <li>density: an nx × ny grid of the image size (not padded), uv cell 1/(N·cell) wavelengths. A sample (u, v)
 *       in wavelengths falls in cell {@code Int(uscale·u + N/2)}, {@code Int(vscale·v + N/2)} with uscale = N × the
 *       image's x increment and vscale = N × its y increment — CASA's RA increment is negative, so uscale =
 *       −nx·cellx and vscale = +ny·celly: the uv origin sits on a cell corner, and {@code Int} truncates (which
 *       is floor on every index kept, see below). Every sample adds its natural weight to the cell of (u, v)
 *       <em>and</em> to the cell of (−u, −v), so the density is Hermitian-symmetric and counts a sample twice;
 *       a sample with any correlation flagged ({@link VisibilityData#densityExcluded()}) adds nothing;
 *   <li>a cell index is on the grid when 0 &lt; index &lt; N, exactly CASA's test ({@code ucell > 0 && ucell <
 *       nx}): row and column 0 of the grid are never used. A sample off the grid adds nothing to the density,
 *       and under uniform/briggs gets imaging weight 0, as does a sample whose own cell holds no density (CASA's
 *       {@code a_gwt_p(ucell, vcell) > 0} test; possible for a one-hand sample, which is not in the density);
 *   <li>uniform: w / W_k; briggs (rmode norm): w / (1 + W_k f²), f² = (5·10^-R)² / (Σ_k W_k² / Σ_k W_k), both
 *       sums over the density grid (CASA's sumlocwt and sumwt, the latter the sum of every weight put on the grid,
 *       i.e. twice Σ_i w_i for samples whose two cells are on the grid). W_k is the density at the cell of (u, v);
 *   <li>natural: w, whatever the uv cell (CASA's weightNatural looks at no grid);
 *   <li>uvtaper: × exp(-2π²σ²(u²+v²)), σ = FWHM / (2√(2 ln 2)) of the image-plane Gaussian.
 * </ul>
 * The cell arithmetic copies CASA's single precision ({@code Float} f = ν/c, u = uvw·f, uscale; {@code Int} of a
 * float sum), so that samples on a cell boundary land where tclean puts them.
 *
 * <p>The density is its own step (accumulate, sum, apply) so that row-chunk workers can sum their densities
 * before weighting: parallel weights then equal serial weights.
 */
public final class ImagingWeights {
  private static final double C = 299792458.0;

  private final int nx;
  private final int ny;
  private final float uscale;
  private final float vscale;

  /** @param cellx the image cell along x (positive; the RA increment is −cellx), @param celly along y, radians */
  public ImagingWeights(int nx, int ny, double cellx, double celly) {
    this.nx = nx;
    this.ny = ny;
    this.uscale = (float) (nx * -Math.abs(cellx));
    this.vscale = (float) (ny * Math.abs(celly));
  }

  /**
   * Adds the natural weights of data into density (nx*ny, cell {@code vcell * nx + ucell}): each sample not
   * {@linkplain VisibilityData#densityExcluded() excluded} to the cell of (u, v) and to the cell of (−u, −v).
   */
  public void accumulateDensity(VisibilityData d, double[] density) {
    int nchan = d.numChannels();
    for (int r = 0; r < d.numRows(); r++) {
      for (int c = 0; c < nchan; c++) {
        int i = r * nchan + c;
        float w = d.weight()[i];
        if (w > 0 && !d.densityExcluded()[i]) {
          int cell = cellOf(d, r, c, false);
          if (cell >= 0) {
            density[cell] += w;
          }
          int twin = cellOf(d, r, c, true);
          if (twin >= 0) {
            density[twin] += w;
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

  /**
   * Imaging weights for data given the (possibly gathered) density; under uniform/briggs, samples off the uv grid
   * or in an empty cell get weight 0.
   */
  public float[] apply(VisibilityData d, double[] density, WeightingMode mode, double robust, double taperFwhm) {
    int nchan = d.numChannels();
    float[] out = new float[d.weight().length];
    double f2 = 0;
    if (mode == WeightingMode.BRIGGS) {
      double sumW2 = 0;
      double sumW = 0;
      for (double w : density) {
        if (w > 0) {
          sumW2 += w * w;
        }
        sumW += w;
      }
      double s = 5 * Math.pow(10, -robust);
      f2 = sumW2 > 0 ? s * s / (sumW2 / sumW) : 0;
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
        double out1 = w;
        if (mode != WeightingMode.NATURAL) {
          int cell = cellOf(d, r, c, false);
          double wk = cell >= 0 ? density[cell] : 0;
          if (!(wk > 0)) {
            continue;
          }
          out1 = mode == WeightingMode.UNIFORM ? w / wk : w / (1 + wk * f2);
        }
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

  /** Density-grid cell of a sample, or of its Hermitian twin (−u, −v); -1 when off the grid (CASA's test). */
  private int cellOf(VisibilityData d, int r, int c, boolean twin) {
    float f = (float) (d.freq()[c] / C);
    float u = (float) (d.uvw()[3 * r] * f);
    float v = (float) (d.uvw()[3 * r + 1] * f);
    if (twin) {
      u = -u;
      v = -v;
    }
    int ucell = (int) (uscale * u + nx / 2);
    int vcell = (int) (vscale * v + ny / 2);
    if (ucell <= 0 || ucell >= nx || vcell <= 0 || vcell >= ny) {
      return -1;
    }
    return vcell * nx + ucell;
  }
}
