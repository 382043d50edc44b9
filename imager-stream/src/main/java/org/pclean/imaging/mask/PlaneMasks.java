package org.pclean.imaging.mask;

import org.pclean.casacore.Beam;
import org.pclean.ingest.params.MaskParams;
import org.pclean.ingest.params.TcleanParams;

/**
 * Makes each plane's {@link CleanMask} from a run's mask parameters: usemask user (the mask entries' union, or
 * none), pb (pb &gt; pbmask) or auto-multithresh (its own per-plane state, statistics inside pb &gt; pblimit).
 * With pbmask &gt; 0 a user mask is also cut to pb &gt; pbmask, and auto-multithresh works inside
 * pb &gt; max(pblimit, pbmask). The mask entries are read once, when this is made.
 */
public final class PlaneMasks {
  private final TcleanParams p;
  private final UserMask user;

  public PlaneMasks(TcleanParams p) {
    this.p = p;
    MaskParams m = p.masking();
    this.user = m.usemask() == MaskParams.UseMask.USER && !m.mask().isEmpty() ? UserMask.of(m.mask(), p.nx(), p.ny()) : null;
  }

  /** Checks the mask entries (region syntax, files, images) before anything runs: one sentence when bad. */
  public static void check(TcleanParams p) {
    new PlaneMasks(p);
  }

  /**
   * The mask of one plane.
   *
   * @param freq the plane's frequency (Hz), to pick a mask image's channel
   * @param pb the plane's primary beam
   * @param sidelobe the PSF's largest sidelobe
   */
  public CleanMask forPlane(PixelFrame f, double freq, float[] pb, Beam beam, double sidelobe, String label) {
    return forPlane(f, freq, pb, beam, sidelobe, label, null);
  }

  /**
   * As {@link #forPlane(PixelFrame, double, float[], Beam, double, String)}, from a mask a restart read back
   * (the existing .mask; null: none), as tclean: usemask user cleans in it (with the mask entries added),
   * auto-multithresh grows from it; usemask pb remakes its mask from the pb.
   */
  public CleanMask forPlane(PixelFrame f, double freq, float[] pb, Beam beam, double sidelobe, String label,
      byte[] restart) {
    MaskParams m = p.masking();
    return switch (m.usemask()) {
      case USER -> {
        if (user == null) {
          yield restart == null ? CleanMask.NONE : CleanMask.fixed(restart.clone());
        }
        byte[] mask = user.plane(f, freq);
        if (restart != null) {
          for (int i = 0; i < mask.length; i++) {
            mask[i] |= restart[i];
          }
        }
        if (m.pbmask() > 0) {
          for (int i = 0; i < mask.length; i++) {
            mask[i] &= (byte) (pb[i] > m.pbmask() ? 1 : 0);
          }
        }
        yield CleanMask.fixed(mask);
      }
      case PB -> {
        byte[] mask = new byte[pb.length];
        for (int i = 0; i < mask.length; i++) {
          mask[i] = (byte) (pb[i] > m.pbmask() ? 1 : 0);
        }
        yield CleanMask.fixed(mask);
      }
      case AUTO_MULTITHRESH -> {
        AutoMultiThresh a = new AutoMultiThresh(m, f.nx(), f.ny(), f.cellX(), f.cellY(), beam, sidelobe, pb,
            Math.max(p.pblimit(), m.pbmask()), label);
        if (restart != null) {
          a.restore(new AutoMultiThresh.State(restart.clone(), restart.clone(), false));
        }
        yield a;
      }
    };
  }
}
