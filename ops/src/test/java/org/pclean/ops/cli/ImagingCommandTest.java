package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.FitsFile;
import org.pclean.casacore.TestData;

/** `pclean --vis ... --imagename ...` end to end, and against WSClean on the same MS. */
class ImagingCommandTest {
  @TempDir static Path tmp;
  static Path ms;

  @BeforeAll
  static void simulate() {
    ms = tmp.resolve("sim.ms");
    assertEquals(0, run(new StringWriter(), "simulate", "--out", ms.toString(), "--nchan", "4", "--hours", "2",
        "--integration", "120"));
  }

  static int run(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void imagesAndWritesTheProductSetWithFits() {
    String name = tmp.resolve("img").toString();
    assertEquals(0, run(new StringWriter(), "--vis", ms.toString(), "--imagename", name, "--imsize", "128",
        "--cell", "3arcsec", "--niter", "500", "--threshold", "0.5mJy", "--weighting", "briggs", "--robust", "0",
        "--fits"));
    for (String p : new String[] {"image", "residual", "model", "psf", "pb", "sumwt"}) {
      assertTrue(Files.isDirectory(Path.of(name + "." + p)), p);
      assertTrue(Files.isRegularFile(Path.of(name + "." + p + ".fits")), p + ".fits");
    }
  }

  /**
   * A Kafka address where nothing listens is bad input: exit 2 and one line within seconds (not after the
   * clients' minute-long timeouts), for the client and the services alike, with nothing written.
   */
  @Test
  void anUnreachableClusterIsOneLineAndExit2() {
    String unreachable = "localhost:1";
    String name = tmp.resolve("unreachable").toString();
    String[][] commands = {
        {"--vis", ms.toString(), "--imagename", name, "--imsize", "64", "--cell", "3arcsec", "--parallel",
            "--scheduler-address", unreachable, "--nworkers", "0"},
        {"--vis", ms.toString(), "--imagename", name, "--imsize", "64", "--cell", "3arcsec", "--parallel",
            "--scheduler-address", unreachable, "--nworkers", "1"},
        {"worker", "--scheduler-address", unreachable},
        {"status", "--scheduler-address", unreachable},
    };
    for (String[] c : commands) {
      StringWriter err = new StringWriter();
      long t0 = System.nanoTime();
      assertEquals(2, run(err, c), String.join(" ", c) + ": " + err);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertEquals(1, err.toString().strip().lines().count(), err.toString());
      assertTrue(err.toString().contains("no answer from the"), err.toString());
      assertTrue(seconds < 30, String.join(" ", c) + " took " + seconds + " s");
    }
    assertTrue(!Files.exists(Path.of(name + ".image")), "nothing written");
  }

  /** --parallel mfs from the command line (embedded broker, 2 workers, 3 row chunks) equals the serial image. */
  @Test
  void parallelContinuumFromTheCommandLineEqualsSerial() {
    String[] common = {"--vis", ms.toString(), "--imsize", "128", "--cell", "3arcsec", "--niter", "500",
        "--threshold", "0.5mJy", "--weighting", "briggs", "--robust", "0", "--threads", "1"};
    // Neither product directory exists yet: each run makes its own before imaging.
    String serial = tmp.resolve("new").resolve("serial").resolve("cli-serial").toString();
    String parallel = tmp.resolve("new").resolve("parallel").resolve("cli-parallel").toString();
    Path work = tmp.resolve("cli-work");
    assertEquals(0, run(new StringWriter(), concat(common, "--imagename", serial)));
    assertEquals(0, run(new StringWriter(), concat(common, "--imagename", parallel, "--parallel", "--nworkers", "2",
        "--row-chunks", "3", "--keep-partimages", "--local-directory", work.toString())));
    try (CasaImage a = CasaImage.open(Path.of(serial + ".image"));
         CasaImage b = CasaImage.open(Path.of(parallel + ".image"))) {
      float[] x = a.readPlane(0, 0);
      float[] y = b.readPlane(0, 0);
      float peak = 0;
      for (float v : x) {
        peak = Math.max(peak, Math.abs(v));
      }
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-5 * peak, "pixel " + i);
      }
    }
    try (var jobs = Files.list(work)) {
      Path job = jobs.filter(d -> d.getFileName().toString().startsWith("job-")).findFirst().orElseThrow();
      for (int k = 0; k < 3; k++) {
        assertTrue(Files.isDirectory(job.resolve("cli-parallel.n" + k + ".residual")), "partial image of chunk " + k);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A YAML in pclean's section layout (an unquoted 24:00:00 walltime among SLURM settings that a local run does
   * not read) runs to the same products, pixel for pixel, as the same parameters typed as flags.
   */
  @Test
  void aPcleanLayoutYamlRunsLikeTheSameFlags() throws Exception {
    String fromYaml = tmp.resolve("yaml-run").toString();
    String fromFlags = tmp.resolve("flag-run").toString();
    Path yaml = tmp.resolve("pclean.yaml");
    Files.writeString(yaml, """
        selection:
          vis: %s
          spw: '0:1~3'
          datacolumn: data
        image:
          imagename: %s
          imsize: [128, 128]
          cell: 3arcsec
          specmode: mfs
        grid:
          gridder: standard
          padding: 1.2
        weight:
          weighting: briggs
          robust: 0.0
        deconvolution:
          deconvolver: hogbom
        iteration:
          niter: 300
          cycleniter: 100
          gain: 0.1
          threshold: 0.5mJy
        misc:
          fits: true
        cluster:
          type: local
          parallel: false
          threads_per_worker: 1
          slurm:
            queue: batch
            walltime: 24:00:00
            job_mem: 20GB
        """.formatted(ms, fromYaml));
    StringWriter err = new StringWriter();
    assertEquals(0, run(err, "--pconfig", yaml.toString()), err.toString());
    assertEquals(0, run(err, "--vis", ms.toString(), "--spw", "0:1~3", "--datacolumn", "data", "--imagename",
        fromFlags, "--imsize", "128", "--cell", "3arcsec", "--specmode", "mfs", "--gridder", "standard", "--padding",
        "1.2", "--weighting", "briggs", "--robust", "0", "--deconvolver", "hogbom", "--niter", "300", "--cycleniter",
        "100", "--gain", "0.1", "--threshold", "0.5mJy", "--fits", "--threads", "1"), err.toString());
    for (String product : new String[] {"image", "residual", "model", "psf", "pb", "sumwt"}) {
      assertTrue(Files.isRegularFile(Path.of(fromYaml + "." + product + ".fits")), product + ".fits");
      try (CasaImage a = CasaImage.open(Path.of(fromYaml + "." + product));
           CasaImage b = CasaImage.open(Path.of(fromFlags + "." + product))) {
        float[] x = a.readPlane(0, 0);
        float[] y = b.readPlane(0, 0);
        assertEquals(x.length, y.length, product);
        boolean nonzero = false;
        for (int i = 0; i < x.length; i++) {
          assertEquals(x[i], y[i], 0f, product + " pixel " + i);
          nonzero |= x[i] != 0;
        }
        assertTrue(nonzero, product + " is not blank");
      }
    }
    // The walltime is the string it means (YAML 1.1 would read 86400), as `config show` gives it.
    Map<String, String[]> shown = ConfigCliTest.show("--pconfig", yaml.toString());
    assertEquals("'24:00:00'", shown.get("cluster.slurm.walltime")[0]);
    assertEquals("file:" + yaml + " line 31", shown.get("cluster.slurm.walltime")[1]);
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void badInputExitsTwoWithOneLine() {
    String[][] cases = {
        {"MeasurementSet does not exist", "--vis", tmp.resolve("nope.ms").toString(), "--imagename", "x"},
        {"bad angle unit in '3parsec'", "--vis", ms.toString(), "--imagename", "x", "--cell", "3parsec"},
        {"multiscale needs scales", "--vis", ms.toString(), "--imagename", "x", "--deconvolver", "multiscale"},
        {"unknown datacolumn 'model2'", "--vis", ms.toString(), "--imagename", "x", "--datacolumn", "model2"},
        {"no MODEL_DATA column", "--vis", ms.toString(), "--imagename", tmp.resolve("m").toString(),
            "--datacolumn", "model"},
        {"unknown weighting 'super'", "--vis", ms.toString(), "--imagename", "x", "--weighting", "super"},
    };
    for (String[] c : cases) {
      StringWriter err = new StringWriter();
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      assertEquals(2, run(err, args), String.join(" ", args));
      assertTrue(err.toString().contains(c[0]), err.toString());
      assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
    assertFalse(Files.exists(tmp.resolve("m.image")), "no half-written product set on bad input");
  }

  /** Same MS, same geometry and weighting: WSClean and pclean agree on every source's peak and flux. */
  @Test
  void agreesWithWsclean() throws Exception {
    assumeTrue(TestData.onPath("wsclean"), "wsclean not installed (apt-get install wsclean): skipped");
    String name = tmp.resolve("ours").toString();
    assertEquals(0, run(new StringWriter(), "--vis", ms.toString(), "--imagename", name, "--imsize", "256",
        "--cell", "3arcsec", "--niter", "3000", "--threshold", "0.1mJy", "--datacolumn", "data", "--fits"));
    Path prefix = tmp.resolve("ws");
    Process p = new ProcessBuilder("wsclean", "-quiet", "-j", "2", "-no-update-model-required", "-data-column", "DATA",
        "-size", "256", "256", "-scale", "3asec", "-niter", "3000", "-threshold", "0.0001", "-mgain", "0.8",
        "-weight", "natural", "-name", prefix.toString(), ms.toString())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("ws.log").toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    FitsFile ws = FitsFile.read(Path.of(prefix + "-image.fits"));
    FitsFile ours = FitsFile.read(Path.of(name + ".image.fits"));
    FitsFile wsPsf = FitsFile.read(Path.of(prefix + "-psf.fits"));
    FitsFile ourPsf = FitsFile.read(Path.of(name + ".psf.fits"));
    assertEquals(ws.getDouble("CRPIX1"), ours.getDouble("CRPIX1"), 0.0);
    assertEquals(ws.getDouble("CDELT1"), ours.getDouble("CDELT1"), 1e-12);
    // Default sky of pclean simulate: (l, m) = (60, 30), (-90, 45), (30, -120) arcsec -> pixels.
    int[][] pix = {{108, 138}, {158, 143}, {118, 88}};
    for (int[] xy : pix) {
      int i = xy[1] * 256 + xy[0];
      assertEquals(ws.plane()[i], ours.plane()[i], 0.005 * Math.abs(ws.plane()[i]), "flux at " + xy[0] + "," + xy[1]);
    }
    // The PSFs (same weights, same uv coverage) agree to 3 % of the peak everywhere.
    double maxDiff = 0;
    for (int i = 0; i < ourPsf.plane().length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ourPsf.plane()[i] - wsPsf.plane()[i]));
    }
    assertTrue(maxDiff < 0.03, "max PSF difference " + maxDiff);
  }
}
