package org.pclean.casacore;

/**
 * Where an image sits on the sky and in frequency: tclean's imsize, cell, phasecenter and spectral axis.
 * The reference pixel is (nx/2, ny/2), 0-based, at the phase centre; RA increases to the left.
 *
 * @param ra phase centre, J2000 radians
 * @param dec phase centre, J2000 radians
 * @param cellX cell along RA, radians (positive)
 * @param cellY cell along Dec, radians (positive)
 * @param freq0 first channel, Hz
 * @param dfreq channel increment, Hz
 * @param restFreq rest frequency, Hz (0 when none)
 */
public record ImageGeometry(int nx, int ny, String stokes, int nchan, double ra, double dec, double cellX,
    double cellY, double freq0, double dfreq, double restFreq) {
  public ImageGeometry {
    if (nx < 1 || ny < 1 || nchan < 1) {
      throw new IllegalArgumentException("image shape must be positive: " + nx + "x" + ny + "x" + nchan);
    }
    if (!(cellX > 0) || !(cellY > 0)) {
      throw new IllegalArgumentException("cell sizes must be positive");
    }
  }
}
