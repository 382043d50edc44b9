package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;

/** Clark and multiscale against the simulated truth (and Hogbom). */
class DeconvolverComparisonTest {
  static final int N = 256;
  @TempDir Path tmp;

  private TcleanParams.Builder base(Path ms, String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA);
  }

  @Test
  void clarkRecoversPointSourcesLikeHogbom() {
    Path ms = SkySimulation.simulate(tmp, "pts.ms", 4, 8e6, 2.0, 0.0);
    var clark = SerialImager.run(base(ms, "clark").deconvolver(DeconvolverKind.CLARK).niter(5000).threshold(1e-4)
        .build());
    assertEquals(StopReason.THRESHOLD, clark.planes().get(0).stop());
    try (CasaImage img = CasaImage.open(tmp.resolve("clark.image"))) {
      float[] d = img.readPlane(0, 0);
      for (SkySimulation.Source s : SkySimulation.SKY) {
        int x = N / 2 + s.dx();
        int y = N / 2 + s.dy();
        double expect = SerialImagerTest.bandMean(s);
        assertEquals(expect, d[y * N + x], 0.01 * expect, "flux of " + s);
        assertEquals(0.0, SerialImagerTest.parabola(d[y * N + x - 1], d[y * N + x], d[y * N + x + 1]), 0.1);
        assertEquals(0.0, SerialImagerTest.parabola(d[(y - 1) * N + x], d[y * N + x], d[(y + 1) * N + x]), 0.1);
      }
    }
  }

  /**
   * An extended Gaussian source (a dense cluster of point sources, 1.5 Jy, σ = 24"): multiscale recovers its flux
   * with far fewer components than Hogbom, and the restored image is the truth convolved with the beam.
   */
  @Test
  void multiscaleRecoversAnExtendedSource() {
    double sigmaPix = 8;
    double total = 1.5;
    List<MsSimulator.PointSource> sky = new ArrayList<>();
    List<double[]> truth = new ArrayList<>();
    double norm = 0;
    for (int dy = -24; dy <= 24; dy += 2) {
      for (int dx = -24; dx <= 24; dx += 2) {
        norm += Math.exp(-(dx * dx + dy * dy) / (2 * sigmaPix * sigmaPix));
      }
    }
    for (int dy = -24; dy <= 24; dy += 2) {
      for (int dx = -24; dx <= 24; dx += 2) {
        double f = total * Math.exp(-(dx * dx + dy * dy) / (2 * sigmaPix * sigmaPix)) / norm;
        if (f > 1e-4) {
          sky.add(new MsSimulator.PointSource(-dx * SkySimulation.CELL, dy * SkySimulation.CELL, f, 0));
          truth.add(new double[] {dx, dy, f});
        }
      }
    }
    Path ms = tmp.resolve("ext.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("EXT", SkySimulation.RA, SkySimulation.DEC, 1, 1.4e9, 8e6, "RR LL", -2, 2, 240,
            60000, 0, 1), sky);
    var ms3 = SerialImager.run(base(ms, "msc").deconvolver(DeconvolverKind.MULTISCALE).scales(0, 6, 15)
        .niter(3000).threshold(2e-3).build());
    var hog = SerialImager.run(base(ms, "hog").niter(20000).threshold(2e-3).build());
    double sum = truth.stream().mapToDouble(t -> t[2]).sum();
    assertEquals(sum, ms3.planes().get(0).modelFlux(), 0.03 * sum, "multiscale model flux");
    assertTrue(ms3.totalIterations() * 2 < hog.totalIterations(),
        "multiscale " + ms3.totalIterations() + " vs hogbom " + hog.totalIterations() + " components");
    Beam beam = ms3.planes().get(0).beam();
    double[] q = beam.quadraticForm();
    try (CasaImage img = CasaImage.open(tmp.resolve("msc.image"))) {
      float[] d = img.readPlane(0, 0);
      for (int[] at : new int[][] {{0, 0}, {6, 0}, {0, -10}}) {
        double expect = 0;
        for (double[] t : truth) {
          double e = -(at[0] - t[0]) * SkySimulation.CELL;
          double no = (at[1] - t[1]) * SkySimulation.CELL;
          expect += t[2] * Math.exp(-(q[0] * e * e + 2 * q[1] * e * no + q[2] * no * no));
        }
        float got = d[(N / 2 + at[1]) * N + N / 2 + at[0]];
        assertEquals(expect, got, 0.03 * expect, "restored at offset " + at[0] + "," + at[1]);
      }
    }
  }
}
