package org.pclean.imaging.beam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pclean.casacore.Beam;

class BeamFitterTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;

  /** The beam itself as an n x n PSF (peak 1 at n/2, n/2). */
  private static float[] gaussianPsf(Beam beam, int n, double cell) {
    double[] q = beam.quadraticForm();
    float[] psf = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        double e = -(x - n / 2) * cell;
        double no = (y - n / 2) * cell;
        psf[y * n + x] = (float) Math.exp(-(q[0] * e * e + 2 * q[1] * e * no + q[2] * no * no));
      }
    }
    return psf;
  }

  /** A PSF that is an elliptical Gaussian (with sidelobe-free wings) is fitted back to its own parameters. */
  @Test
  void fitsAnEllipticalGaussianExactly() {
    int n = 128;
    double cell = 0.5 * ARCSEC;
    for (double pa : new double[] {0, 35, -60, 89}) {
      float[] psf = gaussianPsf(new Beam(4.0, 2.5, pa), n, cell);
      Beam fit = BeamFitter.fit(psf, n, n, cell, cell, 0.35);
      assertEquals(4.0, fit.majorArcsec(), 1e-3, "major at pa " + pa);
      assertEquals(2.5, fit.minorArcsec(), 1e-3, "minor at pa " + pa);
      assertEquals(pa, fit.paDeg(), 0.05, "pa");
      assertEquals(0.0, BeamFitter.maxSidelobe(psf, n, n), 1e-6);
    }
  }

  /** An undersampled PSF (about 1.3 pixels per beam) still gets a beam close to its true size. */
  @Test
  void fitsAnUndersampledPsf() {
    int n = 64;
    double cell = 3 * ARCSEC;
    float[] psf = gaussianPsf(new Beam(4.0, 3.6, 30), n, cell);
    Beam fit = BeamFitter.fit(psf, n, n, cell, cell, 0.35);
    assertEquals(4.0, fit.majorArcsec(), 0.01);
    assertEquals(3.6, fit.minorArcsec(), 0.01);
  }

  /** The Gaussian's pixel sum is its analytic area 2πσ1σ2 (used to convert Jy/beam to Jy/pixel). */
  @Test
  void beamAreaMatchesPixelSum() {
    double cell = 0.5 * ARCSEC;
    Beam b = new Beam(4.0, 2.5, 20);
    double[] q = b.quadraticForm();
    double sum = 0;
    for (int y = -60; y <= 60; y++) {
      for (int x = -60; x <= 60; x++) {
        double e = -x * cell;
        double no = y * cell;
        sum += Math.exp(-(q[0] * e * e + 2 * q[1] * e * no + q[2] * no * no));
      }
    }
    assertEquals(sum, b.areaPixels(cell, cell), 1e-6 * sum);
  }

  /** Airy pattern: J1 against tabulated values; the half-power radius is 0.5145 λ/D. */
  @Test
  void primaryBeamIsTheAiryPattern() {
    assertEquals(0.4400505857, PrimaryBeam.besselJ1(1.0), 1e-9);
    assertEquals(0.5767248078, PrimaryBeam.besselJ1(2.0), 1e-9);
    assertEquals(-0.0660433280, PrimaryBeam.besselJ1(4.0), 1e-9);
    assertEquals(-0.3275791376, PrimaryBeam.besselJ1(5.0), 1e-9);
    double lambda = 299792458.0 / 1.4e9;
    double hpbw = 2 * 0.5145 * lambda / 25.0;  // radians, full width
    int n = 512;
    double cell = hpbw / 2 / 100;  // the half-power radius falls 100 pixels out
    float[] pb = PrimaryBeam.image(n, n, cell, cell, 25.0, 1.4e9);
    assertEquals(1.0f, pb[n / 2 * n + n / 2], 1e-6f);
    assertEquals(0.5, pb[n / 2 * n + n / 2 + 100], 2e-3);
    assertEquals(1.0f, PrimaryBeam.image(4, 4, cell, cell, 0.0, 1.4e9)[0]);
  }
}
