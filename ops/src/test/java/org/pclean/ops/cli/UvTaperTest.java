package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.pclean.imaging.weighting.ImagingWeights;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ingest.source.VisibilityData;

/**
 * tclean's uvtaper units: an angle is the image-plane FWHM; lambda/klambda (and a bare number, which tclean reads
 * as lambda) the uv-plane FWHM, whose image-plane FWHM is 4 ln 2 / (pi F).
 */
class UvTaperTest {
  private static final double C = 299792458.0;

  @Test
  void unitsAsTcleanReadsThem() {
    // 4 ln 2 / (pi 5000) and / (pi 300), worked out by hand.
    assertEquals(1.7650848012212128e-4, Quantities.uvTaperFwhmRad("5klambda"), 1e-18);
    assertEquals(2.9418080020353547e-3, Quantities.uvTaperFwhmRad("300"), 1e-17);
    assertEquals(2.9418080020353547e-3, Quantities.uvTaperFwhmRad("300lambda"), 1e-17);
    assertEquals(1.7650848012212128e-7, Quantities.uvTaperFwhmRad("5Mlambda"), 1e-21);
    assertEquals(Math.toRadians(10.0 / 3600), Quantities.uvTaperFwhmRad("10arcsec"), 1e-18);
    assertThrows(IllegalArgumentException.class, () -> Quantities.uvTaperFwhmRad("0klambda"));
    assertThrows(IllegalArgumentException.class, () -> Quantities.uvTaperFwhmRad("5parsec"));
  }

  /** A 5 klambda taper halves the weight of a sample 2.5 klambda out (half its FWHM) and leaves the centre's. */
  @Test
  void aUvPlaneFwhmHalvesTheWeightAtHalfItsWidth() {
    double fwhm = Quantities.uvTaperFwhmRad("5klambda");
    // Frequency c: uvw in metres are wavelengths. Samples at (0, 0), (2500, 0) and (1500, 2000) wavelengths.
    double[] uvw = {0, 0, 0, 2500, 0, 0, 1500, 2000, 0};
    VisibilityData d = new VisibilityData(uvw, new double[] {C}, new double[] {1e6}, new float[6],
        new float[] {1, 1, 1}, new double[] {0, 0});
    ImagingWeights iw = new ImagingWeights(256, 256, Math.toRadians(1.0 / 3600), Math.toRadians(1.0 / 3600));
    float[] w = iw.apply(d, new double[256 * 256], WeightingMode.NATURAL, 0, fwhm);
    assertEquals(1.0, w[0], 1e-6);
    assertEquals(0.5, w[1], 1e-6);
    assertEquals(0.5, w[2], 1e-6);
  }
}
