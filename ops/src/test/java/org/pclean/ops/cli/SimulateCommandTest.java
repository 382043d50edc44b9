package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.FitsFile;
import org.pclean.casacore.TestData;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;

class SimulateCommandTest {
  @TempDir Path tmp;

  private static int run(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void writesMsAndTruthThatAgree() throws Exception {
    Path ms = tmp.resolve("s.ms");
    assertEquals(0, run(new StringWriter(), "simulate", "--out", ms.toString(), "--nchan", "3", "--hours", "0.5",
        "--freq", "1.5GHz", "--chanwidth", "4MHz", "--array-config", "D", "--source", "12,-6,2.0,-1"));
    JsonNode truth = new ObjectMapper().readTree(Path.of(ms + ".sky.json").toFile());
    assertEquals(1, truth.get("sources").size());
    JsonNode s = truth.get("sources").get(0);
    assertEquals(12.0, s.get("l_arcsec").asDouble(), 1e-9);
    assertEquals(2.0, s.get("flux_jy").asDouble(), 0.0);
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      MsMetadata md = m.metadata();
      assertEquals(27, md.antennas().size());
      assertEquals(3, md.spectralWindows().get(0).numChannels());
      assertEquals(1.504e9, md.spectralWindows().get(0).channelFrequencies()[1], 1e-3);
      assertEquals(Math.toRadians(150), md.fields().get(0).ra(), 1e-9);
      assertEquals(truth.get("phase_centre_dec_rad").asDouble(), md.fields().get(0).dec(), 1e-12);
    }
  }

  @Test
  void badInputExitsTwoWithOneLineReason() throws Exception {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "simulate", "--out", tmp.resolve("a.ms").toString(), "--freq", "1.4parsec"));
    assertTrue(err.toString().startsWith("pclean: bad frequency unit in '1.4parsec'"), err.toString());
    assertEquals(1, err.toString().strip().lines().count());

    err = new StringWriter();
    assertEquals(2, run(err, "listobs", "--vis", tmp.resolve("missing.ms").toString()));
    assertTrue(err.toString().contains("MeasurementSet does not exist"), err.toString());

    err = new StringWriter();
    assertEquals(2, run(err, "simulate", "--out", tmp.resolve("b.ms").toString(), "--source", "1,2"));
    assertTrue(err.toString().contains("expected L,M,FLUX[,ALPHA]"), err.toString());
    assertFalse(Files.exists(tmp.resolve("b.ms")), "no half-written MS on bad input");

    err = new StringWriter();
    assertEquals(2, run(err, "simulate", "--out", tmp.resolve("c.ms").toString(), "--array-config", "Q"));
    assertTrue(err.toString().contains("unknown VLA configuration 'Q'"), err.toString());
  }

  /**
   * The oracle: WSClean (Debian) images the simulated MS and finds every source where the truth says, with its
   * flux. Sources sit on pixel centres, so the restored peak pixel is the source and its flux.
   */
  @Test
  void wscleanFindsSimulatedSourcesAtTruePositionsAndFluxes() throws Exception {
    assumeTrue(TestData.onPath("wsclean"), "wsclean not installed (apt-get install wsclean): oracle test skipped");
    Path ms = tmp.resolve("o.ms");
    double cell = 3.0;  // arcsec
    // l east, m north, in whole pixels so that each source sits on a pixel centre.
    String[] sources = {"60,30,1.0,-0.7", "-90,45,0.5,0", "30,-120,0.25,0.5"};
    List<String> args = new ArrayList<>(List.of("simulate", "--out", ms.toString(), "--nchan", "4",
        "--hours", "2", "--integration", "120"));
    for (String s : sources) {
      args.add("--source");
      args.add(s);
    }
    assertEquals(0, run(new StringWriter(), args.toArray(String[]::new)));

    Path prefix = tmp.resolve("ws");
    Process p = new ProcessBuilder("wsclean", "-quiet", "-j", "2", "-no-update-model-required", "-data-column", "DATA",
        "-size", "256", "256", "-scale", cell + "asec", "-niter", "5000", "-mgain", "0.8", "-threshold", "0.0005",
        "-weight", "natural", "-name", prefix.toString(), ms.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("wsclean.log").toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "wsclean did not finish");
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("wsclean.log")));

    FitsFile img = FitsFile.read(Path.of(prefix + "-image.fits"));
    double crpix1 = img.getDouble("CRPIX1") - 1;  // 0-based
    double crpix2 = img.getDouble("CRPIX2") - 1;
    assertTrue(img.getDouble("CDELT1") < 0, "RA increases to the left");
    float[] d = img.plane();
    int nx = img.nx();
    JsonNode truth = new ObjectMapper().readTree(Path.of(ms + ".sky.json").toFile());
    for (JsonNode s : truth.get("sources")) {
      int x = (int) Math.round(crpix1 - s.get("l_arcsec").asDouble() / cell);
      int y = (int) Math.round(crpix2 + s.get("m_arcsec").asDouble() / cell);
      // Brightest pixel within 3 pixels of the truth, then a parabola through its neighbours.
      int bx = x;
      int by = y;
      for (int j = y - 3; j <= y + 3; j++) {
        for (int i = x - 3; i <= x + 3; i++) {
          if (d[j * nx + i] > d[by * nx + bx]) {
            bx = i;
            by = j;
          }
        }
      }
      double fx = bx + parabolaOffset(d[by * nx + bx - 1], d[by * nx + bx], d[by * nx + bx + 1]);
      double fy = by + parabolaOffset(d[(by - 1) * nx + bx], d[by * nx + bx], d[(by + 1) * nx + bx]);
      assertEquals(x, fx, 0.1, "x of source at l=" + s.get("l_arcsec"));
      assertEquals(y, fy, 0.1, "y of source at m=" + s.get("m_arcsec"));
      // MFS flux: natural weights are equal across the 4 channels, so the image holds the channel mean.
      double mean = 0;
      for (int c = 0; c < 4; c++) {
        mean += s.get("flux_jy").asDouble() * Math.pow((1.4e9 + c * 8e6) / 1.4e9, s.get("spectral_index").asDouble()) / 4;
      }
      assertEquals(mean, d[by * nx + bx], 0.01 * mean, "flux of source at l=" + s.get("l_arcsec"));
    }
  }

  private static double parabolaOffset(double left, double centre, double right) {
    double denom = left - 2 * centre + right;
    return denom == 0 ? 0 : 0.5 * (left - right) / denom;
  }

}
