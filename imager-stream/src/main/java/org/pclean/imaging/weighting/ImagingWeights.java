package org.pclean.imaging.weighting;

import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.SpecMode;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;

/**
 * Imaging weights from natural weights, as CASA 6's tclean computes them. tclean has two density rules, and which
 * one applies depends on specmode and perchanweightdensity ({@code SynthesisImagerVi2::weight}):
 *
 * <p><b>Shared grid</b> ({@link DensityGrid#SHARED}: mfs, and cubes with perchanweightdensity false; CASA's
 * msvis {@code VisImagingWeight}): one density over every selected sample.
 * <ul>
 *   <li>a gx × gy grid, gx = gy = npixels when npixels &gt; 0, else the image size (not padded); its cell is the
 *       image cell, so uv cells are 1/(g·cell) wavelengths. A sample (u, v) in wavelengths falls in cell
 *       {@code Int(uscale·u + gx/2)}, {@code Int(vscale·v + gy/2)} with uscale = −gx·cellx (CASA's RA increment is
 *       negative) and vscale = +gy·celly: the uv origin sits on a cell corner, and {@code Int} truncates (floor on
 *       every index kept). Every sample adds its natural weight to the cell of (u, v) <em>and</em> of (−u, −v);
 *   <li>sumwt is every weight put on the grid (Σ_k W_k, about twice Σ_i w_i).
 * </ul>
 * <b>Per channel</b> ({@link DensityGrid#PER_CHANNEL}: cubes with perchanweightdensity true, tclean's default;
 * CASA's {@code BriggsCubeWeightor}, which grids the density with a box-kernel FTMachine): the caller passes one
 * channel's samples.
 * <ul>
 *   <li>an nx × ny grid of the image size; a sample falls in the <em>nearest</em> cell, {@code round(nx·cellx·u +
 *       nx/2)}, {@code round(−ny·celly·v + ny/2)} (half away from zero), and only (u, v) is gridded, not its twin;
 *   <li>npixels = b spreads each sample's full weight over the (2b + 1)² cells around it; a sample whose box
 *       leaves the grid adds nothing; sumwt is Σ_i w_i (2b + 1)², and the briggs normaliser uses 2·sumwt.
 * </ul>
 * Both rules: a sample with any correlation flagged ({@link VisibilityData#densityExcluded()}) adds nothing; a
 * sample is weighted when its own cell has index 0 &lt; i &lt; g on both axes and holds density W_k &gt; 0, else
 * its imaging weight is 0 (CASA's {@code ucell > 0 && ucell < nx && gwt > 0}). With f² and d² (CASA's names):
 * <ul>
 *   <li>uniform: f² = 1, d² = 0, i.e. w / W_k;
 *   <li>briggs (rmode norm): f² = (5·10^−R)² / (Σ_k W_k² / S), d² = 1, S = sumwt (shared) or 2·sumwt (per channel);
 *   <li>briggsabs (rmode abs): f² = R², d² = 2·noise² (noise in Jy);
 *   <li>imaging weight w / (W_k f² + d²); briggsbwtaper (per channel only, CAS-13021): w / (W_k f² / t + d²) with
 *       the briggs f², n = fracbw × the sample's distance from the uv origin in cells, t = n + 0.5, or (4 − n)/(4 −
 *       2n) where that is below 1.5;
 *   <li>natural: w, whatever the uv cell (CASA's weightNatural looks at no grid);
 *   <li>uvtaper: × exp(−2π²σ²(u² + v²)), σ = FWHM / (2√(2 ln 2)) of the image-plane Gaussian.
 * </ul>
 * The cell arithmetic copies CASA's single precision ({@code Float} f = ν/c, u = uvw·f), so that samples on a cell
 * boundary land where tclean puts them. Density arrays are nx·ny long whatever the grid (the first gx·gy entries,
 * row-major, hold it), so gathered density tiles keep the image's shape.
 *
 * <p>The density is its own step (accumulate, sum, apply) so that row-chunk workers can sum their densities
 * before weighting: parallel weights then equal serial weights.
 */
public final class ImagingWeights {
  private static final double C = 299792458.0;

  /** Which of tclean's two density rules applies (see the class comment). */
  public enum DensityGrid {
    /** One floor-binned, Hermitian-doubled density over all selected samples (VisImagingWeight). */
    SHARED,
    /** One nearest-cell density per cube channel, each sample spread over a (2·npixels + 1)² box. */
    PER_CHANNEL
  }

  private final DensityGrid rule;
  private final int nx;
  private final int ny;
  private final int gx;
  private final int gy;
  private final int box;
  private final float uscale;
  private final float vscale;
  private final double cubeUscale;
  private final double cubeVscale;

  /** The shared rule on an image-sized grid (npixels 0). @param cellx, celly image cells (positive), radians */
  public ImagingWeights(int nx, int ny, double cellx, double celly) {
    this(DensityGrid.SHARED, nx, ny, cellx, celly, 0);
  }

  /**
   * @param npixels tclean's npixels: the shared grid's size (0: the image size), or the per-channel box half-width
   */
  public ImagingWeights(DensityGrid rule, int nx, int ny, double cellx, double celly, int npixels) {
    if (npixels < 0 || npixels > Math.min(nx, ny)) {
      throw new IllegalArgumentException("npixels must lie in [0, imsize], got " + npixels);
    }
    this.rule = rule;
    this.nx = nx;
    this.ny = ny;
    boolean shared = rule == DensityGrid.SHARED;
    this.gx = shared && npixels > 0 ? npixels : nx;
    this.gy = shared && npixels > 0 ? npixels : ny;
    this.box = shared ? 0 : npixels;
    this.uscale = (float) (gx * -Math.abs(cellx));
    this.vscale = (float) (gy * Math.abs(celly));
    this.cubeUscale = -nx * Math.abs(cellx);
    this.cubeVscale = ny * Math.abs(celly);
  }

  /** The rule and grid tclean uses for this run. */
  public static ImagingWeights forRun(TcleanParams p) {
    return new ImagingWeights(rule(p), p.nx(), p.ny(), p.cell()[0], p.cell()[1], p.npixels());
  }

  /** Per channel for cubes with perchanweightdensity (tclean's default), else one shared density. */
  public static DensityGrid rule(TcleanParams p) {
    return p.specmode() == SpecMode.CUBE && p.perchanweightdensity() ? DensityGrid.PER_CHANNEL : DensityGrid.SHARED;
  }

  public DensityGrid densityRule() {
    return rule;
  }

  /**
   * Adds the natural weights of data into density (nx·ny long, cell {@code vcell * gx + ucell}): each sample not
   * {@linkplain VisibilityData#densityExcluded() excluded}, by this rule.
   */
  public void accumulateDensity(VisibilityData d, double[] density) {
    int nchan = d.numChannels();
    for (int r = 0; r < d.numRows(); r++) {
      for (int c = 0; c < nchan; c++) {
        int i = r * nchan + c;
        float w = d.weight()[i];
        if (!(w > 0) || d.densityExcluded()[i]) {
          continue;
        }
        if (rule == DensityGrid.SHARED) {
          int cell = sharedCell(d, r, c, false);
          if (cell >= 0) {
            density[cell] += w;
          }
          int twin = sharedCell(d, r, c, true);
          if (twin >= 0) {
            density[twin] += w;
          }
        } else {
          int[] uv = cubeCell(d, r, c);
          // The box-kernel gridder keeps a sample only when its whole support lies on the grid.
          if (uv[0] - box >= 0 && uv[0] + box <= nx - 1 && uv[1] - box >= 0 && uv[1] + box <= ny - 1) {
            for (int dv = -box; dv <= box; dv++) {
              for (int du = -box; du <= box; du++) {
                density[(uv[1] + dv) * nx + uv[0] + du] += w;
              }
            }
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

  /** {@link #apply(VisibilityData, double[], WeightingMode, double, double, double, double)} with noise 1 Jy. */
  public float[] apply(VisibilityData d, double[] density, WeightingMode mode, double robust, double taperFwhm) {
    return apply(d, density, mode, robust, 1.0, 0, taperFwhm);
  }

  /**
   * Imaging weights for data given the (possibly gathered) density; under uniform/briggs, samples off the uv grid
   * or in an empty cell get weight 0.
   *
   * @param noise briggsabs noise per visibility, Jy
   * @param fracbw briggsbwtaper fractional bandwidth of the whole cube
   */
  public float[] apply(VisibilityData d, double[] density, WeightingMode mode, double robust, double noise,
      double fracbw, double taperFwhm) {
    if (mode == WeightingMode.BRIGGSBWTAPER && (rule != DensityGrid.PER_CHANNEL || !(fracbw > 0))) {
      throw new IllegalArgumentException("briggsbwtaper needs per-channel cube densities and a fractional"
          + " bandwidth > 0");
    }
    double f2 = 1;
    double d2 = 0;
    if (mode == WeightingMode.BRIGGS || mode == WeightingMode.BRIGGSBWTAPER) {
      double sumW2 = 0;
      double sumW = 0;
      for (double w : density) {
        if (w > 0) {
          sumW2 += w * w;
        }
        sumW += w;
      }
      double norm = rule == DensityGrid.SHARED ? sumW : 2 * sumW;
      double s = 5 * Math.pow(10, -robust);
      f2 = sumW2 > 0 ? s * s / (sumW2 / norm) : 1;
      d2 = sumW2 > 0 ? 1 : 0;
    } else if (mode == WeightingMode.BRIGGSABS) {
      f2 = robust * robust;
      d2 = 2 * noise * noise;
    }
    double sigma = taperFwhm / (2 * Math.sqrt(2 * Math.log(2)));
    double taper = -2 * Math.PI * Math.PI * sigma * sigma;
    int nchan = d.numChannels();
    float[] out = new float[d.weight().length];
    for (int r = 0; r < d.numRows(); r++) {
      for (int c = 0; c < nchan; c++) {
        int i = r * nchan + c;
        float w = d.weight()[i];
        if (!(w > 0)) {
          continue;
        }
        double out1 = w;
        if (mode != WeightingMode.NATURAL) {
          int cell;
          if (rule == DensityGrid.SHARED) {
            cell = sharedCell(d, r, c, false);
          } else {
            int[] uv = cubeCell(d, r, c);
            cell = uv[0] > 0 && uv[0] < nx && uv[1] > 0 && uv[1] < ny ? uv[1] * nx + uv[0] : -1;
          }
          double wk = cell >= 0 ? density[cell] : 0;
          if (!(wk > 0)) {
            continue;
          }
          double wf2 = wk * f2;
          if (mode == WeightingMode.BRIGGSBWTAPER) {
            wf2 /= bandwidthTaper(d, r, c, fracbw);
          }
          out1 = w / (wf2 + d2);
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

  /** briggsbwtaper's divisor of W_k f²: grows with the sample's uv distance in cells times fracbw. */
  private double bandwidthTaper(VisibilityData d, int r, int c, double fracbw) {
    float f = (float) (d.freq()[c] / C);
    float u = (float) (-d.uvw()[3 * r] * f);
    float v = (float) (-d.uvw()[3 * r + 1] * f);
    double n = fracbw * Math.hypot(cubeUscale * u, cubeVscale * v);
    double t = n + 0.5;
    return t < 1.5 ? (4 - n) / (4 - 2 * n) : t;
  }

  /** Shared-grid cell of a sample, or of its Hermitian twin (−u, −v); -1 when off the grid (CASA's test). */
  private int sharedCell(VisibilityData d, int r, int c, boolean twin) {
    float f = (float) (d.freq()[c] / C);
    float u = (float) (d.uvw()[3 * r] * f);
    float v = (float) (d.uvw()[3 * r + 1] * f);
    if (twin) {
      u = -u;
      v = -v;
    }
    int ucell = (int) (uscale * u + gx / 2);
    int vcell = (int) (vscale * v + gy / 2);
    if (ucell <= 0 || ucell >= gx || vcell <= 0 || vcell >= gy) {
      return -1;
    }
    return vcell * gx + ucell;
  }

  /** Per-channel (nearest) cell [ucell, vcell] of a sample, unchecked: CASA negates uvw and rounds. */
  private int[] cubeCell(VisibilityData d, int r, int c) {
    float f = (float) (d.freq()[c] / C);
    float u = (float) (-d.uvw()[3 * r] * f);
    float v = (float) (-d.uvw()[3 * r + 1] * f);
    return new int[] {roundHalfAway(cubeUscale * u + nx / 2), roundHalfAway(cubeVscale * v + ny / 2)};
  }

  private static int roundHalfAway(double x) {
    return (int) (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));
  }
}
