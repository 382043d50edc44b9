package org.pclean.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileKind;

class ImageTilesTest {
  private static ImageTile template(int partition) {
    return ImageTile.newBuilder().setJobId("j").setCycle(2).setPartitionIndex(partition).setKind(TileKind.RESIDUAL)
        .setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0).setImageNx(0).setImageNy(0)
        .setPixels(java.nio.ByteBuffer.allocate(0)).build();
  }

  @Test
  void splitAndSumRestoreTheImages() {
    int nx = 1300;
    int ny = 700;
    Random r = new Random(1);
    float[] a = new float[nx * ny];
    float[] b = new float[nx * ny];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian();
    }
    List<ImageTile> ta = ImageTiles.split(a, nx, ny, template(0));
    List<ImageTile> tb = ImageTiles.split(b, nx, ny, template(1));
    assertEquals(6, ta.size());
    assertEquals(ImageTiles.count(nx, ny), ta.size());
    float[] sum = new float[nx * ny];
    for (ImageTile t : ta) {
      // Every tile, serialised, stays far below the 4 MiB payload limit.
      assertTrue(Messages.IMAGE_TILE.toBytes("pclean.partials", t).length < 1_100_000);
      assertTrue(t.getWidth() <= 512 && t.getHeight() <= 512);
      ImageTiles.addInto(Messages.IMAGE_TILE.fromBytes("t", Messages.IMAGE_TILE.toBytes("t", t)), sum);
    }
    tb.forEach(t -> ImageTiles.addInto(t, sum));
    float[] expect = new float[nx * ny];
    for (int i = 0; i < expect.length; i++) {
      expect[i] = a[i] + b[i];
    }
    assertArrayEquals(expect, sum);
    assertEquals(1, tb.get(0).getPartitionIndex());
    assertEquals(2, tb.get(5).getCycle());
  }
}
