package org.pclean.imaging.gridding;

import org.pclean.ingest.params.TcleanParams;

/** The image a gridder fills: nx × ny pixels of cellx × celly radians, the phase centre at pixel (nx/2, ny/2). */
public record ImagePixels(int nx, int ny, double cellx, double celly) {
  public static ImagePixels of(TcleanParams p) {
    return new ImagePixels(p.nx(), p.ny(), p.cell()[0], p.cell()[1]);
  }
}
