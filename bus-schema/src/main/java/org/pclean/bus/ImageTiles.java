package org.pclean.bus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileKind;

/**
 * Images on the bus travel as tiles of at most {@value #MAX_TILE}x{@value #MAX_TILE} float32 pixels (1 MiB),
 * little-endian, row-major, so no record nears the topic limit whatever the image size.
 */
public final class ImageTiles {
  public static final int MAX_TILE = 512;

  static {
    AvroTrust.install();  // tiles are built by copying a template message
  }

  private ImageTiles() {}

  /**
   * Splits image (nx*ny, {@code [y * nx + x]}) into tiles in row-major tile order. template carries the
   * identifying fields (jobId, attempt, cycle, partitionIndex, kind, term, channel, sumWeight); geometry and
   * pixels are filled here.
   */
  public static List<ImageTile> split(float[] image, int nx, int ny, ImageTile template) {
    if (image.length != nx * ny) {
      throw new IllegalArgumentException("image has " + image.length + " pixels, not " + nx + "x" + ny);
    }
    List<ImageTile> tiles = new ArrayList<>();
    int index = 0;
    for (int y0 = 0; y0 < ny; y0 += MAX_TILE) {
      for (int x0 = 0; x0 < nx; x0 += MAX_TILE) {
        int w = Math.min(MAX_TILE, nx - x0);
        int h = Math.min(MAX_TILE, ny - y0);
        ByteBuffer buf = ByteBuffer.allocate(4 * w * h).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = y0; y < y0 + h; y++) {
          for (int x = x0; x < x0 + w; x++) {
            buf.putFloat(image[y * nx + x]);
          }
        }
        buf.flip();
        tiles.add(ImageTile.newBuilder(template).setTileIndex(index++).setX0(x0).setY0(y0).setWidth(w).setHeight(h)
            .setImageNx(nx).setImageNy(ny).setPixels(buf).build());
      }
    }
    return tiles;
  }

  /**
   * The key of a partial tile on pclean.partials: jobId/attempt/cycle/kind/term/channel/tile, the same for every
   * partition's partial of that tile, so they all land in one topic partition where the coordinator sums them.
   */
  /**
   * The template of a whole image's tiles (a gathered or published image: no partition, channel 0), for
   * {@link #split}, which fills in each tile's place and pixels.
   */
  public static ImageTile template(String jobId, int attempt, int cycle, TileKind kind, int term) {
    return ImageTile.newBuilder().setJobId(jobId).setAttempt(attempt).setCycle(cycle).setPartitionIndex(-1)
        .setKind(kind).setTerm(term).setChannel(0).setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0)
        .setImageNx(0).setImageNy(0).setPixels(ByteBuffer.allocate(0)).build();
  }

  public static String gatherKey(ImageTile t) {
    return t.getJobId() + "/" + t.getAttempt() + "/" + t.getCycle() + "/" + t.getKind() + "/" + t.getTerm() + "/"
        + t.getChannel() + "/" + t.getTileIndex();
  }

  /** Number of tiles of an nx*ny image. */
  public static int count(int nx, int ny) {
    return ((nx + MAX_TILE - 1) / MAX_TILE) * ((ny + MAX_TILE - 1) / MAX_TILE);
  }

  /** Adds the tile's pixels into image (imageNx*imageNy): summing partials from several workers. */
  public static void addInto(ImageTile tile, float[] image) {
    int nx = tile.getImageNx();
    if (image.length != nx * tile.getImageNy()) {
      throw new IllegalArgumentException("tile belongs to a " + nx + "x" + tile.getImageNy() + " image");
    }
    ByteBuffer buf = tile.getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (int y = tile.getY0(); y < tile.getY0() + tile.getHeight(); y++) {
      for (int x = tile.getX0(); x < tile.getX0() + tile.getWidth(); x++) {
        image[y * nx + x] += buf.getFloat();
      }
    }
  }
}
