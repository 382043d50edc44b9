package org.pclean.imaging.beam;

import java.util.ArrayDeque;
import org.pclean.casacore.Beam;

/**
 * Fits the restoring beam to the PSF's main lobe, as CASA does: a Gaussian through the pixels of the lobe
 * around the peak that lie above psfcutoff (0.35 by default), peak fixed at 1 on the centre pixel. The fit is
 * least squares on ln(psf) weighted by psf², which is the linearised least-squares fit of the Gaussian itself.
 * Also measures the PSF's largest sidelobe, which sets the minor-cycle depth.
 */
public final class BeamFitter {
  private static final double RAD_TO_ARCSEC = 180 / Math.PI * 3600;

  private BeamFitter() {}

  /** psf: nx*ny, peak 1 at (nx/2, ny/2); cells in radians. */
  public static Beam fit(float[] psf, int nx, int ny, double cellx, double celly, double cutoff) {
    int cx = nx / 2;
    int cy = ny / 2;
    boolean[] lobe = flood(psf, nx, ny, (from, to) -> psf[to] >= cutoff);
    if (count(lobe) < 9) {
      // An undersampled PSF (under ~3 pixels per beam) leaves too few pixels above the cutoff to fix an ellipse:
      // fit the positive pixels of the 3x3 box around the peak as well.
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          int i = (cy + dy) * nx + cx + dx;
          if (cy + dy >= 0 && cy + dy < ny && cx + dx >= 0 && cx + dx < nx && psf[i] > 0) {
            lobe[i] = true;
          }
        }
      }
    }
    double[][] ata = new double[3][3];
    double[] atb = new double[3];
    int used = 0;
    for (int i = 0; i < psf.length; i++) {
      if (!lobe[i] || i == cy * nx + cx) {
        continue;
      }
      double p = Math.min(psf[i], 1.0);
      // Offsets in units of cellx keep the normal equations well scaled.
      double east = -(i % nx - cx);
      double north = (i / nx - cy) * celly / cellx;
      double[] row = {east * east, 2 * east * north, north * north};
      double w = p * p;
      for (int a = 0; a < 3; a++) {
        atb[a] += w * row[a] * -Math.log(p);
        for (int b = 0; b < 3; b++) {
          ata[a][b] += w * row[a] * row[b];
        }
      }
      used++;
    }
    if (used < 3) {
      throw new IllegalStateException("the PSF main lobe has only " + used + " pixels above psfcutoff " + cutoff
          + ": the cell is too large for the resolution (make it smaller)");
    }
    double[] q = solve3(ata, atb);
    for (int k = 0; k < 3; k++) {
      q[k] /= cellx * cellx;  // back to radians
    }
    // Eigenvalues of [[a, b], [b, c]]; the major axis has the smaller one.
    double a = q[0];
    double b = q[1];
    double c = q[2];
    double mean = (a + c) / 2;
    double diff = Math.sqrt((a - c) * (a - c) / 4 + b * b);
    double lmin = mean - diff;
    double lmax = mean + diff;
    if (!(lmin > 0)) {
      throw new IllegalStateException("the PSF main lobe is not Gaussian-like (fit gave a non-positive axis)");
    }
    double fwhmMaj = Math.sqrt(4 * Math.log(2) / lmin) * RAD_TO_ARCSEC;
    double fwhmMin = Math.sqrt(4 * Math.log(2) / lmax) * RAD_TO_ARCSEC;
    // Eigenvector of lmin in (east, north): (b, lmin - a) or (lmin - c, b).
    double ve = Math.abs(b) > 1e-30 ? b : (a <= c ? 1 : 0);
    double vn = Math.abs(b) > 1e-30 ? lmin - a : (a <= c ? 0 : 1);
    double pa = Math.toDegrees(Math.atan2(ve, vn));
    if (pa > 90) {
      pa -= 180;
    } else if (pa <= -90) {
      pa += 180;
    }
    return new Beam(fwhmMaj, fwhmMin, pa);
  }

  /** The largest |psf| outside the main lobe (the lobe runs downhill from the peak while positive). */
  public static double maxSidelobe(float[] psf, int nx, int ny) {
    boolean[] lobe = flood(psf, nx, ny, (from, to) -> psf[to] > 0 && psf[to] <= psf[from]);
    double max = 0;
    for (int i = 0; i < psf.length; i++) {
      if (!lobe[i]) {
        max = Math.max(max, Math.abs(psf[i]));
      }
    }
    return max;
  }

  private static int count(boolean[] a) {
    int n = 0;
    for (boolean b : a) {
      if (b) {
        n++;
      }
    }
    return n;
  }

  private interface Step {
    boolean allowed(int from, int to);
  }

  private static boolean[] flood(float[] psf, int nx, int ny, Step step) {
    boolean[] in = new boolean[psf.length];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int start = (ny / 2) * nx + nx / 2;
    in[start] = true;
    queue.add(start);
    int[] dx = {1, -1, 0, 0};
    int[] dy = {0, 0, 1, -1};
    while (!queue.isEmpty()) {
      int i = queue.poll();
      int x = i % nx;
      int y = i / nx;
      for (int k = 0; k < 4; k++) {
        int xx = x + dx[k];
        int yy = y + dy[k];
        if (xx < 0 || yy < 0 || xx >= nx || yy >= ny) {
          continue;
        }
        int j = yy * nx + xx;
        if (!in[j] && step.allowed(i, j)) {
          in[j] = true;
          queue.add(j);
        }
      }
    }
    return in;
  }

  private static double[] solve3(double[][] m, double[] v) {
    double det = det3(m);
    if (Math.abs(det) < 1e-300) {
      throw new IllegalStateException("the PSF main lobe cannot be fitted (singular system)");
    }
    double[] out = new double[3];
    for (int k = 0; k < 3; k++) {
      double[][] mk = {m[0].clone(), m[1].clone(), m[2].clone()};
      for (int r = 0; r < 3; r++) {
        mk[r][k] = v[r];
      }
      out[k] = det3(mk) / det;
    }
    return out;
  }

  private static double det3(double[][] m) {
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  }
}
