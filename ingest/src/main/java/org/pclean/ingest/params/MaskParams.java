package org.pclean.ingest.params;

import java.util.List;
import java.util.Locale;

/**
 * tclean's mask parameters (usemask, mask, pbmask and auto-multithresh's), with tclean's defaults. The CLEAN
 * mask limits where the minor cycle may place components; with usemask user and no mask it is the whole image.
 *
 * @param usemask how the mask is made
 * @param mask usemask user: CASA region texts (CRTF: circle, box, poly in pixels or world coordinates), region
 *     files or CASA mask images; their union is the mask. Empty: no mask (clean everywhere)
 * @param pbmask the mask where the primary beam exceeds this (usemask pb; with the other modes, when above 0,
 *     the mask is also cut to pb &gt; pbmask)
 * @param sidelobethreshold auto-multithresh: mask above this × the PSF's largest sidelobe × the peak residual
 * @param noisethreshold auto-multithresh: ... or above this × the residual rms, whichever is higher
 * @param lownoisethreshold auto-multithresh: grow the previous mask into emission above this × rms
 * @param negativethreshold auto-multithresh: mask absorption below −(this × rms) too (0: no negative masks)
 * @param smoothfactor auto-multithresh: the smoothing Gaussian is this × the restoring beam
 * @param minbeamfrac auto-multithresh: regions smaller than this × the beam area are pruned
 * @param cutthreshold auto-multithresh: the smoothed mask is kept above this × its peak
 * @param growiterations auto-multithresh: at most this many binary dilations when growing
 * @param dogrowprune auto-multithresh: prune the grown mask too
 * @param minpercentchange auto-multithresh: stop updating a plane's mask when it changes by less than this percent
 *     after a cycle that cleaned to the threshold (negative: never)
 * @param fastnoise auto-multithresh: the rms from the MAD of the whole residual (true) or of the residual outside
 *     the current mask (false)
 */
public record MaskParams(UseMask usemask, List<String> mask, double pbmask, double sidelobethreshold,
    double noisethreshold, double lownoisethreshold, double negativethreshold, double smoothfactor,
    double minbeamfrac, double cutthreshold, int growiterations, boolean dogrowprune, double minpercentchange,
    boolean fastnoise) {

  /** tclean's usemask values. */
  public enum UseMask {
    /** The mask parameter's regions and images (none: the whole image). */
    USER,
    /** Where the primary beam exceeds pbmask. */
    PB,
    /** Made from each cycle's residual by thresholds, pruning, smoothing and growth (Kepley et al. 2020). */
    AUTO_MULTITHRESH;

    /** tclean's spelling: user, pb, auto-multithresh. */
    public String tcleanName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static UseMask parse(String s) {
      for (UseMask u : values()) {
        if (u.tcleanName().equalsIgnoreCase(s.trim())) {
          return u;
        }
      }
      throw new IllegalArgumentException("unknown usemask '" + s + "' (expected user, pb or auto-multithresh)");
    }
  }

  public static final MaskParams DEFAULT = new MaskParams(UseMask.USER, List.of(), 0.0, 3.0, 5.0, 1.5, 0.0, 1.0,
      0.3, 0.01, 75, true, -1.0, true);

  public MaskParams {
    mask = List.copyOf(mask);
  }

  /** Whether CLEAN runs inside a mask (else everywhere, and no .mask image is written). */
  public boolean masked() {
    return usemask != UseMask.USER || !mask.isEmpty();
  }

  /** Throws one sentence naming the first bad parameter. */
  void validate() {
    require(usemask == UseMask.USER || mask.isEmpty(),
        "mask is given with usemask " + usemask.tcleanName() + ": regions and mask images need usemask user");
    for (String m : mask) {
      require(m != null && !m.isBlank(), "mask entries must not be empty");
    }
    require(pbmask >= 0 && pbmask < 1, "pbmask must lie in [0, 1), got " + pbmask);
    require(sidelobethreshold >= 0, "sidelobethreshold must be >= 0");
    require(noisethreshold >= 0, "noisethreshold must be >= 0");
    require(lownoisethreshold >= 0, "lownoisethreshold must be >= 0");
    require(negativethreshold >= 0, "negativethreshold must be >= 0");
    require(smoothfactor > 0, "smoothfactor must be > 0");
    require(minbeamfrac >= 0, "minbeamfrac must be >= 0");
    require(cutthreshold >= 0 && cutthreshold < 1, "cutthreshold must lie in [0, 1)");
    require(growiterations >= 0, "growiterations must be >= 0");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
