package org.pclean.imaging.continuum;

import org.pclean.casacore.WStack;
import org.pclean.imaging.ResidualVisibilities;
import org.pclean.imaging.TaylorTerms;
import org.pclean.imaging.gridding.Gridder;
import org.pclean.imaging.weighting.ImagingWeights;
import org.pclean.ingest.JobPlanner;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.VisibilityData;

/**
 * What a continuum worker computes for its row chunk (pclean's major cycle on one partition), independent of
 * the bus: the chunk's weight density, then with the gathered density its unnormalised partial PSFs and
 * residuals per Taylor term. Uniform/briggs weights need the density of all rows; with the gathered density every
 * chunk weights its samples exactly as the serial run does, so the partial images sum to the serial ones. The
 * worker keeps one of these per chunk between major cycles: the visibilities are read from the MS once.
 */
public final class ContinuumChunk {
  /** Unnormalised partial PSFs (2·nterms - 1 terms) and the chunk's sum of imaging weights per term. */
  public record Psfs(float[][] psf, double[] sumwt) {}

  private final VisibilityData data;
  private final TcleanParams p;
  private final TaylorTerms taylor;
  private final Gridder gridder;
  private float[][] taylorWeights;
  /** Kept between major cycles as the data is. */
  private final ResidualVisibilities residualVis = new ResidualVisibilities();

  /**
   * @param freq0 the image's reference frequency (the centre of the selected band, as the serial engine's)
   * @param nterms Taylor terms (1 unless mtmfs)
   * @param wstack the w planes (wgridder: the w range) of the whole selection, so every chunk stacks on the serial
   *     run's planes
   */
  public ContinuumChunk(VisibilityData data, TcleanParams p, double freq0, int nterms, WStack wstack) {
    this.data = data;
    this.p = p;
    this.taylor = new TaylorTerms(nterms, data.freq(), freq0);
    this.gridder = Gridder.forSelection(p, wstack);
  }

  /** Whether the weighting needs the gathered density of all chunks (uniform, briggs) before cycle 0. */
  public static boolean needsDensity(TcleanParams p) {
    return JobPlanner.needsDensityPass(p);
  }

  public VisibilityData data() {
    return data;
  }

  public boolean weighted() {
    return taylorWeights != null;
  }

  /** The chunk's contribution to the weight density (summed over chunks before weighting). */
  public double[] density() {
    return ImagingWeights.forRun(p).density(data);
  }

  /** Fixes the imaging weights from the gathered density (null for natural weighting, which needs none). */
  public void weigh(double[] gatheredDensity) {
    ImagingWeights iw = ImagingWeights.forRun(p);
    double[] density = gatheredDensity != null ? gatheredDensity : new double[p.nx() * p.ny()];
    taylorWeights = taylor.weights(iw.apply(data, density, p.weighting(), p.robust(), p.noise(), p.fracbw(),
        p.uvtaper()));
  }

  /** The partial PSF of every Taylor term and its sum of weights (cycle 0). */
  public Psfs psfs() {
    requireWeights();
    float[][] psf = new float[taylorWeights.length][p.nx() * p.ny()];
    double[] sumwt = new double[psf.length];
    for (int t = 0; t < psf.length; t++) {
      sumwt[t] = gridder.invert(data, null, taylorWeights[t], psf[t]);
    }
    return new Psfs(psf, sumwt);
  }

  /** The partial residual of every Taylor term: of V - Σ_t x^t predict(model_t), or of V when models is null. */
  public float[][] residuals(float[][] models) {
    requireWeights();
    float[] vis = data.vis();
    if (models != null) {
      vis = residualVis.of(gridder, taylor, data, models);
    }
    float[][] out = new float[taylor.nterms()][p.nx() * p.ny()];
    for (int t = 0; t < out.length; t++) {
      gridder.invert(data, vis, taylorWeights[t], out[t]);
    }
    return out;
  }

  private void requireWeights() {
    if (taylorWeights == null) {
      throw new IllegalStateException("weigh the chunk (with the gathered density) before gridding it");
    }
  }
}
