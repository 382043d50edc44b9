package org.pclean.casacore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs appear under their final names only all together, the restored image last; failures leave none. */
class StagedOutputsTest {
  private static final double CELL = Math.toRadians(2.0 / 3600);
  @TempDir Path tmp;

  private static ImageGeometry geometry() {
    return new ImageGeometry(16, 12, "I", 1, 1.0, 0.5, CELL, CELL, 1.4e9, 1e6, 0);
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theSetAppearsOnlyWhenFinishedAndTheRestoredImageMovesLast() throws IOException {
    ImageSetWriter w = new ImageSetWriter(geometry(), false);
    float[] plane = new float[16 * 12];
    plane[5] = 3;
    w.plane(tmp.resolve("x.image"), "Jy/beam", 0, plane, new Beam(3, 2, 10));
    w.plane(tmp.resolve("x.psf"), "", 0, plane, null);
    for (String n : names()) {
      assertTrue(n.matches("x\\.(image|psf)\\.partial-\\d+-\\d+"), n + " is a temporary name while writing");
    }
    List<Path> out = w.finish(true);
    assertEquals(List.of(tmp.resolve("x.image"), tmp.resolve("x.image.fits"), tmp.resolve("x.psf"),
        tmp.resolve("x.psf.fits")), out);
    assertEquals(List.of("x.image", "x.image.fits", "x.psf", "x.psf.fits"), names());
    try (CasaImage img = CasaImage.open(tmp.resolve("x.image"))) {
      assertArrayEquals(plane, img.readPlane(0, 0));
    }
    StagedOutputs s = new StagedOutputs();
    s.stage(tmp.resolve("y.image"));
    s.stage(tmp.resolve("y.residual"));
    s.stage(tmp.resolve("y.image.tt0"));
    s.stage(tmp.resolve("y.model"));
    for (Path t : s.targets()) {
      Files.createDirectories(s.stage(t));
    }
    assertEquals(List.of(tmp.resolve("y.residual"), tmp.resolve("y.model"), tmp.resolve("y.image"),
        tmp.resolve("y.image.tt0")), s.commit());
  }

  @Test
  void abortLeavesNothingAndAnExistingProductIsReplacedOnlyAtCommit() throws IOException {
    ImageSetWriter w = new ImageSetWriter(geometry(), false);
    w.plane(tmp.resolve("a.image"), "Jy/beam", 0, new float[16 * 12], null);
    w.abort();
    assertEquals(List.of(), names());

    Path old = Files.createDirectories(tmp.resolve("b.image"));
    Files.writeString(old.resolve("marker"), "old");
    ImageSetWriter again = new ImageSetWriter(geometry(), false);
    float[] plane = new float[16 * 12];
    plane[0] = 7;
    again.plane(tmp.resolve("b.image"), "Jy/beam", 0, plane, null);
    assertTrue(Files.exists(old.resolve("marker")), "the old product stays until the new set is complete");
    again.finish(false);
    assertFalse(Files.exists(old.resolve("marker")));
    try (CasaImage img = CasaImage.open(tmp.resolve("b.image"))) {
      assertEquals(7, img.readPlane(0, 0)[0]);
    }
  }

  @Test
  void aSetWithAnUnwrittenOutputIsNotCommitted() throws IOException {
    StagedOutputs s = new StagedOutputs();
    Files.createDirectories(s.stage(tmp.resolve("c.residual")));
    s.stage(tmp.resolve("c.image"));  // never written
    assertThrows(IllegalStateException.class, s::commit);
    assertEquals(List.of(), names());
  }

  /** A killed run's temporaries are removed when the output is staged again; a live process's are kept. */
  @Test
  void temporariesOfDeadProcessesAreSweptLiveOnesKept() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path dead = Files.createDirectories(tmp.resolve("d.image.partial-" + gone.pid() + "-1"));
    Path live = Files.createDirectories(tmp.resolve("d.image.partial-" + ProcessHandle.current().parent()
        .orElseThrow().pid() + "-1"));
    new StagedOutputs().stage(tmp.resolve("d.image"));
    assertFalse(Files.exists(dead));
    assertTrue(Files.exists(live));
  }
}
