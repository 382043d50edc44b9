package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.OutputNames;
import org.pclean.casacore.CasaImage;
import org.pclean.ops.cli.PcleanCli;

/**
 * Outputs are never left looking complete and never overwritten silently: a {@code pclean} process killed while
 * it writes a cube leaves no product under its final name (only temporaries, which the next run sweeps); a run
 * over an existing product set is refused with exit 2 and one line naming it, before anything is computed or
 * written; with --overwrite it replaces the set with products equal to a fresh run's; with --restart it cleans on
 * from the set's model, giving the products of one longer run with the same major-cycle boundaries.
 */
class OutputSafetyTest {
  @TempDir static Path tmp;
  static Path ms;
  static final String[] CUBE = {"--specmode", "cube", "--imsize", "192", "--cell", "3arcsec", "--threshold",
      "0.5mJy", "--threads", "1"};

  @BeforeAll
  static void simulate() {
    ms = tmp.resolve("safe.ms");
    assertEquals(0, run(new StringWriter(), "simulate", "--out", ms.toString(), "--nchan", "8", "--hours", "2",
        "--integration", "120"));
  }

  static int run(StringWriter err, String... args) {
    var cl = PcleanCli.commandLine();
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  static String[] cube(String imagename, String... extra) {
    return cube(imagename, 200, extra);
  }

  static String[] cube(String imagename, int niter, String... extra) {
    List<String> a = new ArrayList<>(List.of("--vis", ms.toString(), "--imagename", imagename, "--niter",
        Integer.toString(niter)));
    a.addAll(List.of(CUBE));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  static List<String> listing(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix + ".")).sorted().toList();
    }
  }

  @Test
  void aRunKilledWhileWritingLeavesNoProduct() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("killed"));
    String name = dir.resolve("cube").toString();
    WorkerProcess p = WorkerProcess.pclean("pclean-cube", cube(name, "--log-level", "info"));
    try {
      p.await(l -> l.contains("plane 1 (2 of 8)"), Duration.ofSeconds(120));  // two of 8 planes written, six to go
      p.kill();
      p.awaitExit(Duration.ofSeconds(20));
    } finally {
      p.close();
    }
    List<String> left = listing(dir, "cube");
    assertFalse(left.isEmpty(), "the killed run had started writing");
    for (String n : left) {
      assertTrue(n.matches("cube\\.[a-z]+\\.partial-\\d+-\\d+"), n + " is a temporary, not a product");
    }
    assertEquals(List.of(), new OutputNames(name).existing());
    // The imagename is free: the next run writes the products and sweeps the dead run's temporaries.
    assertEquals(0, run(new StringWriter(), cube(name)));
    assertEquals(List.of("cube.image", "cube.model", "cube.pb", "cube.psf", "cube.residual", "cube.sumwt"),
        listing(dir, "cube"));
  }

  @Test
  void anExistingProductSetIsRefusedUnlessOverwrite() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("again"));
    String name = dir.resolve("cube").toString();
    String fresh = dir.resolve("fresh").toString();
    assertEquals(0, run(new StringWriter(), cube(name, 20)));  // a different first product set
    Path image = Path.of(name + ".image");
    FileTime before = Files.getLastModifiedTime(image);
    List<String> was = listing(dir, "cube");
    for (String[] args : List.of(cube(name), cube(name, "--parallel", "--nworkers", "1"))) {
      StringWriter err = new StringWriter();
      long t0 = System.nanoTime();
      assertEquals(2, run(err, args), err.toString());
      double s = (System.nanoTime() - t0) / 1e9;
      String[] lines = err.toString().strip().split("\n");
      assertEquals(1, lines.length, err.toString());
      assertTrue(lines[0].contains(image.toString()) && lines[0].contains("--overwrite"), lines[0]);
      System.out.printf(Locale.ROOT, "refused in %.2f s: %s%n", s, lines[0]);
      assertEquals(was, listing(dir, "cube"), "nothing written");
      assertEquals(before, Files.getLastModifiedTime(image));
    }
    assertEquals(0, run(new StringWriter(), cube(name, "--overwrite")));
    assertEquals(0, run(new StringWriter(), cube(fresh)));
    for (OutputNames.Product product : OutputNames.Product.values()) {
      if (product == OutputNames.Product.MASK || product == OutputNames.Product.PBCOR) {
        continue;  // an unmasked run writes no .mask, one without pbcor no .image.pbcor
      }
      try (CasaImage a = CasaImage.open(new OutputNames(fresh).path(product));
           CasaImage b = CasaImage.open(new OutputNames(name).path(product))) {
        assertEquals(java.util.Arrays.toString(a.shape()), java.util.Arrays.toString(b.shape()), product.name());
        for (int c = 0; c < a.shape()[3]; c++) {
          float[] x = a.readPlane(0, c);
          float[] y = b.readPlane(0, c);
          for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 1e-6 * Math.max(1, Math.abs(x[i])), product + " plane " + c + " pixel " + i);
          }
        }
      }
    }
  }

  @Test
  void restartContinuesAnExistingSetAsOneLongerRun() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("restart"));
    String name = dir.resolve("cube").toString();
    String once = dir.resolve("once").toString();
    // Minor cycles of exactly 10 iterations (no PSF-fraction threshold): the boundaries do not depend on the split.
    String[] cycles = {"--cycleniter", "10", "--minpsffraction", "0", "--maxpsffraction", "0"};
    assertEquals(0, run(new StringWriter(), cube(name, 10, cycles)));
    // Continued once in parallel (each worker from its channels of the set), then once more serially.
    List<String> parallel = new ArrayList<>(List.of(cube(name, 10, cycles)));
    parallel.addAll(List.of("--restart", "--parallel", "--nworkers", "1"));
    StringWriter err = new StringWriter();
    assertEquals(0, run(err, parallel.toArray(String[]::new)), err.toString());
    List<String> restart = new ArrayList<>(List.of(cube(name, 10, cycles)));
    restart.add("--restart");
    assertEquals(0, run(new StringWriter(), restart.toArray(String[]::new)));
    assertEquals(0, run(new StringWriter(), cube(once, 30, cycles)));
    for (OutputNames.Product product : List.of(OutputNames.Product.MODEL, OutputNames.Product.RESIDUAL,
        OutputNames.Product.IMAGE)) {
      try (CasaImage a = CasaImage.open(new OutputNames(once).path(product));
           CasaImage b = CasaImage.open(new OutputNames(name).path(product))) {
        for (int c = 0; c < a.shape()[3]; c++) {
          float[] x = a.readPlane(0, c);
          float[] y = b.readPlane(0, c);
          double peak = 0;
          double worst = 0;
          for (int i = 0; i < x.length; i++) {
            peak = Math.max(peak, Math.abs(x[i]));
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
          }
          assertTrue(worst <= 1e-5 * peak, product + " plane " + c + ": " + worst + " of peak " + peak);
        }
      }
    }
  }
}
