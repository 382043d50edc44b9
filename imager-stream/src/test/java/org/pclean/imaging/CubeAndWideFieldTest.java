package org.pclean.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.FitsFile;
import org.pclean.casacore.MsSimulator;
import org.pclean.casacore.TestData;
import org.pclean.imaging.cycles.StopReason;
import org.pclean.ingest.params.TcleanParams;

class CubeAndWideFieldTest {
  @TempDir Path tmp;

  /** Each cube plane holds the source's flux at that channel, S (ν/ν0)^α, and a beam that shrinks as 1/ν. */
  @Test
  void cubeChannelsFollowTheSpectralIndex() {
    double dfreq = 100e6;
    Path ms = SkySimulation.simulate(tmp, "cube.ms", 4, dfreq, 2.0, 0.0);
    int n = 256;
    var r = SerialImager.run(TcleanParams.builder().vis(ms).imagename(tmp.resolve("cube").toString()).imsize(n, n)
        .cell(SkySimulation.CELL, SkySimulation.CELL).datacolumn(DataColumn.DATA)
        .specmode(TcleanParams.SpecMode.CUBE).niter(3000).threshold(1e-4).build());
    assertEquals(4, r.planes().size());
    try (CasaImage img = CasaImage.open(tmp.resolve("cube.image"))) {
      assertTrue(img.hasPerPlaneBeams());
      for (int c = 0; c < 4; c++) {
        double nu = SkySimulation.FREQ0 + c * dfreq;
        assertEquals(nu, img.toWorld(0, 0, 0, c)[3], 1.0);
        float[] d = img.readPlane(0, c);
        for (SkySimulation.Source s : SkySimulation.SKY) {
          double expect = s.flux() * Math.pow(nu / SkySimulation.FREQ0, s.alpha());
          float got = d[(n / 2 + s.dy()) * n + n / 2 + s.dx()];
          assertEquals(expect, got, 0.01 * expect, "channel " + c + " " + s);
        }
        if (c > 0) {
          double ratio = img.beam(c, 0).majorArcsec() / img.beam(0, 0).majorArcsec();
          assertEquals(SkySimulation.FREQ0 / nu, ratio, 0.05, "beam scales as 1/nu");
        }
      }
    }
  }

  /**
   * A low-frequency (150 MHz), low-elevation VLA-C observation with a source 1.3 degrees out: its w-term phase
   * reaches most of a turn, so the 2-D gridder smears it while wproject (w-stacking) and the wgridder put it at
   * the right place with its flux.
   */
  @Test
  void wprojectImagesAWideFieldSourceCorrectly() throws Exception {
    double cell = 30 * SkySimulation.ARCSEC;
    int n = 512;
    int dx = 160;  // 1.33 degrees east, well inside the image
    int dy = -60;
    double flux = 2.0;
    Path ms = tmp.resolve("wide.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("WIDE", SkySimulation.RA, Math.toRadians(-15), 1, 150e6, 1e6, "XX YY", -3, 3, 240,
            60000, 0.0, 3),
        // A source exactly on pixel (dx, dy) of the SIN grid.
        List.of(new MsSimulator.PointSource(-dx * cell, dy * cell, flux, 0)));
    TcleanParams.Builder b = TcleanParams.builder().vis(ms).imsize(n, n).cell(cell, cell).datacolumn(DataColumn.DATA)
        .niter(2000).threshold(0.01);
    var wide = SerialImager.run(b.imagename(tmp.resolve("wproj").toString())
        .gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(48).build());
    double got;
    try (CasaImage img = CasaImage.open(tmp.resolve("wproj.image"))) {
      float[] d = img.readPlane(0, 0);
      int x = n / 2 + dx;
      int y = n / 2 + dy;
      got = d[y * n + x];
      assertEquals(0.0, SerialImagerTest.parabola(d[y * n + x - 1], d[y * n + x], d[y * n + x + 1]), 0.1);
      assertEquals(0.0, SerialImagerTest.parabola(d[(y - 1) * n + x], d[y * n + x], d[(y + 1) * n + x]), 0.1);
    }
    assertEquals(flux, got, 0.02 * flux, "wproject flux");
    // The wgridder chooses its own w planes and finds the same source, as bright.
    SerialImager.run(b.imagename(tmp.resolve("wgrid").toString()).gridder(TcleanParams.GridderKind.WGRIDDER).build());
    try (CasaImage img = CasaImage.open(tmp.resolve("wgrid.image"))) {
      float[] d = img.readPlane(0, 0);
      int i = (n / 2 + dy) * n + n / 2 + dx;
      assertEquals(flux, d[i], 0.02 * flux, "wgridder flux");
      assertEquals(got, d[i], 0.01 * flux, "wgridder vs wproject at the source");
      assertEquals(0.0, SerialImagerTest.parabola(d[i - 1], d[i], d[i + 1]), 0.1);
      assertEquals(0.0, SerialImagerTest.parabola(d[i - n], d[i], d[i + n]), 0.1);
    }
    var flat = SerialImager.run(b.imagename(tmp.resolve("flat").toString())
        .gridder(TcleanParams.GridderKind.STANDARD).build());
    try (CasaImage img = CasaImage.open(tmp.resolve("flat.image"))) {
      float flatPeak = img.readPlane(0, 0)[(n / 2 + dy) * n + n / 2 + dx];
      assertTrue(flatPeak < 0.8 * flux, "the 2-D gridder should smear the source, got " + flatPeak);
    }
    assertEquals(StopReason.THRESHOLD, wide.planes().get(0).stop(), "wproject cleans to the threshold");
    if (TestData.onPath("wsclean")) {
      // WSClean (w-stacking, its own layer count) on the same MS finds the source where and as bright as we do.
      Path prefix = tmp.resolve("ws");
      Process proc = new ProcessBuilder("wsclean", "-quiet", "-j", "2", "-no-update-model-required", "-data-column",
          "DATA", "-size", "" + n, "" + n, "-scale", "30asec", "-niter", "2000", "-threshold", "0.01", "-mgain", "0.8",
          "-weight", "natural", "-name", prefix.toString(), ms.toString())
          .redirectErrorStream(true).redirectOutput(tmp.resolve("ws.log").toFile()).start();
      assertTrue(proc.waitFor(600, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, proc.exitValue());
      float[] ws = FitsFile.read(Path.of(prefix + "-image.fits")).plane();
      int x = n / 2 + dx;
      int y = n / 2 + dy;
      assertEquals(got, ws[y * n + x], 0.03 * flux, "pclean wproject vs WSClean at the source");
      assertEquals(0.0, SerialImagerTest.parabola(ws[y * n + x - 1], ws[y * n + x], ws[y * n + x + 1]), 0.1);
    }
  }
}
