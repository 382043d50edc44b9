package org.pclean.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;
import org.pclean.casacore.ImageGeometry;

class CubeConcatenatorTest {
  private static final double CELL = Math.toRadians(2.0 / 3600);
  @TempDir Path tmp;

  /** A sub-cube of nchan channels starting at channel first of a 1.4 GHz + 1 MHz/channel cube. */
  private Path subcube(String name, int first, int nchan) {
    Path p = tmp.resolve(name);
    try {
      java.nio.file.Files.createDirectories(p.getParent());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ImageGeometry g = new ImageGeometry(16, 12, "I", nchan, 1.0, 0.5, CELL, CELL, 1.4e9 + first * 1e6, 1e6, 0);
    try (CasaImage img = CasaImage.create(p, g)) {
      img.setUnits("Jy/beam");
      for (int c = 0; c < nchan; c++) {
        img.writePlane(0, c, plane(first + c));
        img.setPlaneBeam(c, 0, new Beam(3 + 0.1 * (first + c), 2, 10 * (first + c)));
      }
    }
    return p;
  }

  private static float[] plane(int chan) {
    float[] p = new float[16 * 12];
    for (int i = 0; i < p.length; i++) {
      p[i] = chan * 1000 + i;
    }
    return p;
  }

  /** Every concat mode gives a cube that opens in casacore with the same planes, beams and spectral axis. */
  @Test
  void everyModeGivesTheSameCube() {
    for (CubeConcatenator.ConcatMode mode : new CubeConcatenator.ConcatMode[] {CubeConcatenator.ConcatMode.PAGED,
        CubeConcatenator.ConcatMode.VIRTUAL, CubeConcatenator.ConcatMode.MOVEVIRTUAL}) {
      String d = mode.name().toLowerCase() + "/";
      List<Path> parts = List.of(subcube(d + "a.image", 0, 2), subcube(d + "b.image", 2, 3), subcube(d + "c.image", 5, 1));
      Path out = tmp.resolve(d + "cube.image");
      ImageGeometry g = CubeConcatenator.concatenate(parts, out, mode);
      assertEquals(6, g.nchan());
      try (CasaImage img = CasaImage.open(out)) {
        assertArrayEquals(new int[] {16, 12, 1, 6}, img.shape(), mode.name());
        assertEquals("Jy/beam", img.units());
        assertTrue(img.hasPerPlaneBeams());
        for (int c = 0; c < 6; c++) {
          assertArrayEquals(plane(c), img.readPlane(0, c), mode + " channel " + c);
          assertEquals(3 + 0.1 * c, img.beam(c, 0).majorArcsec(), 1e-9);
          assertEquals(10.0 * c, img.beam(c, 0).paDeg(), 1e-9);
          assertEquals(1.4e9 + c * 1e6, img.toWorld(8, 6, 0, c)[3], 1e-3);
        }
        assertEquals(img.geometry(), g);
      }
      boolean moved = mode == CubeConcatenator.ConcatMode.MOVEVIRTUAL;
      for (Path p : parts) {
        assertEquals(!moved, Files.exists(p), mode + ": sub-cube " + p + (moved ? " moved into the output" : " kept"));
      }
    }
  }

  @Test
  void autoIsVirtualWhenSubcubesAreKeptElsePaged() {
    assertEquals(CubeConcatenator.ConcatMode.VIRTUAL, CubeConcatenator.ConcatMode.AUTO.resolve(true));
    assertEquals(CubeConcatenator.ConcatMode.PAGED, CubeConcatenator.ConcatMode.AUTO.resolve(false));
    assertEquals(CubeConcatenator.ConcatMode.MOVEVIRTUAL, CubeConcatenator.ConcatMode.parse("movevirtual").resolve(false));
    assertThrows(IllegalArgumentException.class, () -> CubeConcatenator.ConcatMode.parse("fast"));
  }

  @Test
  void gapsAndMismatchesAreRefusedAndLeaveNoOutput() {
    Path out = tmp.resolve("bad.image");
    var e = assertThrows(IllegalArgumentException.class,
        () -> CubeConcatenator.concatenate(List.of(subcube("a.image", 0, 2), subcube("b.image", 3, 1)), out,
            CubeConcatenator.ConcatMode.PAGED));
    assertTrue(e.getMessage().contains("must be contiguous"), e.getMessage());
    assertFalse(Files.exists(out));
    Path other = tmp.resolve("other.image");
    try (CasaImage img = CasaImage.create(other, new ImageGeometry(16, 12, "I", 1, 1.0, 0.6, CELL, CELL, 1.402e9, 1e6, 0))) {
      img.setUnits("Jy/beam");
    }
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> CubeConcatenator.concatenate(List.of(subcube("c.image", 0, 2), other), out,
            CubeConcatenator.ConcatMode.VIRTUAL));
    assertTrue(e2.getMessage().contains("does not share the sky geometry"), e2.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> CubeConcatenator.concatenate(List.of(), out, CubeConcatenator.ConcatMode.PAGED));
  }
}
