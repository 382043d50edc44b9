package org.pclean.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.OutputNames.Product;
import org.pclean.bus.avro.BeamRecord;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.SubcubeManifest;
import org.pclean.bus.avro.SubcubeProduct;
import org.pclean.bus.avro.TileKind;
import org.pclean.casacore.Beam;
import org.pclean.casacore.CasaImage;

/**
 * Staging sub-cubes that arrive as tiles: planes larger than one tile assemble exactly, a job is complete only
 * with every tile of every sub-cube, a re-sent sub-cube (redelivered task) doubles nothing, and a tile that fits
 * no plane fails the job with the reason.
 */
class StagedJobTest {
  static final int NX = 600;  // 2x2 tiles of at most 512
  static final int NY = 520;
  static final int NCHAN = 2;
  @TempDir Path tmp;

  static SubcubeManifest manifest(int k) {
    List<SubcubeProduct> products = new ArrayList<>();
    for (TileKind kind : new TileKind[] {TileKind.IMAGE, TileKind.SUMWT}) {
      boolean image = kind == TileKind.IMAGE;
      List<BeamRecord> beams = new ArrayList<>();
      for (int c = 0; image && c < NCHAN; c++) {
        beams.add(new BeamRecord(5.0 + k + 0.1 * c, 4.0, 30.0));
      }
      products.add(SubcubeProduct.newBuilder().setKind(kind).setUnits(image ? "Jy/beam" : "").setNx(image ? NX : 1)
          .setNy(image ? NY : 1).setStokes("I").setNchan(NCHAN).setRa(1.0).setDec(0.5).setCellX(1e-5).setCellY(1e-5)
          .setFreq0(1.4e9 + k * NCHAN * 1e6).setDfreq(1e6).setRestFreq(0).setBeams(beams).build());
    }
    return SubcubeManifest.newBuilder().setNumPartitions(2).setChanStart(k * NCHAN).setChanEnd(k * NCHAN + NCHAN - 1)
        .setHost("w").setNumTiles(NCHAN * (ImageTiles.count(NX, NY) + 1)).setProducts(products).build();
  }

  static float[] plane(int k, int c, int n) {
    float[] p = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = 1000 * k + 100 * c + i * 1e-3f;
    }
    return p;
  }

  /** Every tile of sub-cube k, in the order a worker sends them. */
  static List<ImageTile> tiles(int k) {
    List<ImageTile> out = new ArrayList<>();
    for (TileKind kind : new TileKind[] {TileKind.IMAGE, TileKind.SUMWT}) {
      int nx = kind == TileKind.IMAGE ? NX : 1;
      int ny = kind == TileKind.IMAGE ? NY : 1;
      for (int c = 0; c < NCHAN; c++) {
        ImageTile template = ImageTile.newBuilder().setJobId("j").setCycle(0).setPartitionIndex(k).setKind(kind)
            .setChannel(c).setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0).setImageNx(nx).setImageNy(ny)
            .setPixels(ByteBuffer.allocate(0)).build();
        out.addAll(ImageTiles.split(plane(k, c, nx * ny), nx, ny, template));
      }
    }
    return out;
  }

  @Test
  void resentSubcubesDoubleNothingAndTheJobCompletesOnlyWithEveryTile() {
    StagedJob job = new StagedJob("j", 0, 0, 0, tmp);
    job.manifest(0, manifest(0));
    List<ImageTile> t0 = tiles(0);
    // Half of sub-cube 0, then all of it again (a redelivered task re-sends manifest and tiles).
    t0.subList(0, t0.size() / 2).forEach(t -> job.tile(0, t));
    job.manifest(0, manifest(0));
    t0.forEach(t -> job.tile(0, t));
    assertFalse(job.complete(), "sub-cube 1 is missing");
    job.manifest(1, manifest(1));
    List<ImageTile> t1 = tiles(1);
    t1.subList(0, t1.size() - 1).forEach(t -> job.tile(1, t));
    assertFalse(job.complete(), "one tile of sub-cube 1 is missing");
    job.tile(1, t1.get(t1.size() - 1));
    t1.forEach(t -> job.tile(1, t));  // and a late second copy
    assertTrue(job.complete());
    assertNull(job.error());
    assertEquals(List.of(Product.IMAGE, Product.SUMWT), job.products());
    for (int k = 0; k < 2; k++) {
      try (CasaImage img = CasaImage.open(Path.of(job.prefix(k) + ".image"));
           CasaImage w = CasaImage.open(Path.of(job.prefix(k) + ".sumwt"))) {
        assertArrayEquals(new int[] {NX, NY, 1, NCHAN}, img.shape());
        assertEquals("Jy/beam", img.units());
        assertEquals(1.4e9 + k * NCHAN * 1e6, img.geometry().freq0(), 1e-3);
        for (int c = 0; c < NCHAN; c++) {
          assertArrayEquals(plane(k, c, NX * NY), img.readPlane(0, c), "sub-cube " + k + " plane " + c);
          assertArrayEquals(plane(k, c, 1), w.readPlane(0, c));
          assertEquals(new Beam(5.0 + k + 0.1 * c, 4.0, 30.0), img.beam(c, 0));
        }
      }
    }
  }

  @Test
  void aTileThatFitsNoPlaneFailsTheJobWithTheReason() {
    StagedJob job = new StagedJob("j", 0, 0, 0, tmp);
    job.manifest(0, manifest(0));
    ImageTile bad = ImageTile.newBuilder(tiles(0).get(0)).setChannel(NCHAN).build();
    job.tile(0, bad);
    assertTrue(job.error() != null && job.error().contains("fits no plane"), job.error());
    assertFalse(job.complete());
  }
}
